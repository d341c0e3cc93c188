"""Submissions under `submissions/<name>/`: a folder checked and its claims re-scored from its predictions
(`check`), and a drawn sample of its cells re-trained to see that the claims reproduce (`rerun`)."""

from sure_bench.submissions.check import (SubmissionMeta, check_result, load_submission, method_ref,
                                          validate_submission)

__all__ = ["SubmissionMeta", "check_result", "load_submission", "method_ref", "validate_submission"]
