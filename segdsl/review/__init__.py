"""The review loop: what a rule does, shown and proven before it merges.

`segdsl test` (fixture tests), `explain` (a rule's clauses counted, or one customer's
trace), `diff` (a change's entered and left members) and `overlap` (pairs of segments)
live here, each a module with a public function that returns data; the CLI prints it.

The stage comes after execute and the reference evaluator and before the project, which
offers each command as a method (`project.test()`, `project.explain(...)`, ...) and passes
itself in: this stage reads the project only through the `Reviewed` protocol of
segdsl/review/protocol.py, so nothing here imports segdsl.project.
"""
