"""The trainee's progress, quiz-set files, exports and cohort reports."""
