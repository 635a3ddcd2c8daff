"""What the cases app tells higher layers after a change is committed (they connect in `ready()`).

Why signals: analytics sits above cases; cases announces the change, analytics decides what to do.
Sent only after commit, with ids, so a receiver reads committed rows and cannot undo the change.
"""

from django.dispatch import Signal

#: A fee was recorded (or corrected) on a case: ``case_fee_recorded.send(sender=Case, case_id=…)``.
case_fee_recorded = Signal()
