"""Staff pages of the case journey (/work/, namespace "work"): the comprehensive window (intake queue,
window intake, intake decisions, 即办, issuance), the back office (task lists, the case work page with
step, decision, special procedure and extension forms) and scoped file downloads."""

from . import case, files, intake, lists, processes

__all__ = ["case", "files", "intake", "lists", "processes"]
