# Inter-agency referrals (SPEC 3.4) arrive with the case-record work (issue 4).
