"""Lateness: where open dossiers stand against their appointment and what is owed when they are late.

- `classify`: the pure rule (on track / due soon / overdue), no database;
- `sweep`: the deadline sweep (Celery beat, `manage.py sweep_deadlines`) that stores the state on
  every open dossier, writes the events and tells the people who must act;
- `letters`: apology letters and the single re-appointment (Mẫu 04);
- `calendar_changes`: a day off declared after reception moves the appointments it crosses (not the
  apology re-appointment; queued by `dossiers.receivers` when a calendar override is saved or deleted);
- `at_risk`: which dossiers the forecast puts at risk and their reads (the worklist queue, the head's page);
  `workload`: the appraisers' workload beside them; `digest`: the heads' morning digest of those dossiers;
- `views`: their pages; `report`: the late-dossier report (screen and XLSX).
"""
