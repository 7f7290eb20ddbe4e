"""Who may do what with a dossier's fees, written once (ARCHITECTURE.md §3.6).

The desk of the receiving agency collects fees and pays refunds back (it issued the receipt with the
amount); the desk where the citizen collects the result may take a fee still owed when it hands the result
over (reception regardless of administrative boundaries: that desk may be another one); the applicant's own
account pays online. Whether anything is owed is the state of the
dossier's fee (`services._check_payable`), not a question of who asks.
"""

from __future__ import annotations

from accounts.models import User
from dossiers import policies as dossier_policies
from dossiers.models import Dossier
from dossiers.workflow import Status, result_arrived


def can_record_payment(user: User | None, dossier: Dossier) -> bool:
    """Take the fee in cash at the desk, or record a bank transfer or the post's collection: the receiving desk,
    or the desk handing the result over."""
    if dossier_policies.is_receiving_desk(user, dossier):
        return True
    return (dossier.status == Status.RESULT_READY and result_arrived(dossier)
            and dossier_policies.is_returning_desk(user, dossier))


def can_record_refund(user: User | None, dossier: Dossier) -> bool:
    """Record that the agency paid a refundable fee (or a duplicate payment) back."""
    return dossier_policies.is_receiving_desk(user, dossier)


def can_pay_online(user: User | None, dossier: Dossier) -> bool:
    """Pay through the gateway: the account that filed the dossier."""
    return dossier_policies.is_applicant(user, dossier)
