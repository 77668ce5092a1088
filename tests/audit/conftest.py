import pytest


@pytest.fixture(autouse=True)
def _checkpoints_in_tmp(settings, tmp_path):
    """Each test anchors its chain in its own folder, checkpointing every seal."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
    settings.AUDIT_CHECKPOINT_SECONDS = 0
    return tmp_path / "audit-checkpoints"
