"""The debt path: reminders, overdue downgrade and restore, call list, employer reports."""
