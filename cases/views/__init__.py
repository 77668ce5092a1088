"""The cases app's pages, thin: validate, call a service or selector, render."""
