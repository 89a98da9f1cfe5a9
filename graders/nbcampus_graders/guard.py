"""What the grader sends into the kernel around test cells, and how test cells are rewritten.

Learner code runs in the same interpreter as the tests, so it can try to change what the tests
see. Before any learner code, a *prelude* keeps the original builtins, IPython's and ipykernel's
methods and a few library modules. Before each test cell, a *guard* (fresh code from the grader,
each time) puts them back, drops AST/input transformers and event hooks the learner added, and
reports what it had to repair (the grade is then flagged for review). Test cells are rewritten,
outside the sandbox, so that ``assert a == b`` refuses a value whose ``__eq__`` says yes to
anything, and so that a marker set at the end of the cell proves the whole cell ran.
"""

from __future__ import annotations

import ast

#: modules whose functions a test may rely on; their callables are put back before each test
GUARDED_MODULES = (
    "builtins",
    "math",
    "operator",
    "statistics",
    "functools",
    "itertools",
    "collections",
    "random",
    "re",
    "json",
    "os",
    "sys",
    "unittest",
    "numpy",
    "numpy.testing",
    "pandas",
    "pandas.testing",
)

PRELUDE = r"""
def _nbcampus_prelude():
    import sys, types, math, operator, statistics, functools, itertools, collections, json, re
    from IPython.core.interactiveshell import InteractiveShell
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelbase import Kernel
    ip = get_ipython()
    keep = types.ModuleType("_nbcampus_pristine")
    keep.modules = {
        name: dict(sys.modules[name].__dict__) for name in __MODULES__ if name in sys.modules
    }
    keep.classes = [(cls, dict(cls.__dict__)) for cls in (InteractiveShell, IPythonKernel, Kernel)]
    keep.kernel = ip.kernel
    keep.instances = [(ip, dict(vars(ip))), (ip.kernel, dict(vars(ip.kernel)))]
    keep.events = {name: list(cbs) for name, cbs in ip.events.callbacks.items()}
    keep.input_post = list(ip.input_transformers_post)
    keep.cleanup = list(ip.input_transformer_manager.cleanup_transforms)
    keep.line = list(ip.input_transformer_manager.line_transforms)
    sys.modules["_nbcampus_pristine"] = keep

_nbcampus_prelude()
del _nbcampus_prelude
""".replace("__MODULES__", repr(GUARDED_MODULES))

GUARD = r"""
def _nbcampus_guard():
    import sys
    keep = sys.modules["_nbcampus_pristine"]
    repaired = []
    # what ipykernel itself swaps on every request
    own = {"builtins.input", "builtins.raw_input", "sys.excepthook", "sys.displayhook"}
    for name, saved in keep.modules.items():
        module = sys.modules.get(name)
        if module is None:
            continue
        for key, value in saved.items():
            if name + "." + key in own:
                continue
            if callable(value) and module.__dict__.get(key, None) is not value:
                module.__dict__[key] = value
                repaired.append(name + "." + key)
    for cls, saved in keep.classes:
        for key, value in saved.items():
            if key.startswith("__") and key.endswith("__"):
                continue
            if cls.__dict__.get(key, None) is not value:
                type.__setattr__(cls, key, value)
                repaired.append(cls.__name__ + "." + key)
    ip = keep.kernel.shell
    for obj, saved in keep.instances:
        current = vars(obj)
        for key in list(current):
            value = current[key]
            if key in saved:
                if callable(saved[key]) and value is not saved[key]:
                    current[key] = saved[key]
                    repaired.append(type(obj).__name__ + "." + key)
            elif callable(value) and callable(getattr(type(obj), key, None)):
                del current[key]
                repaired.append(type(obj).__name__ + "." + key)
    if ip.ast_transformers:
        repaired.append("ast_transformers")
        ip.ast_transformers[:] = []
    if list(ip.input_transformers_post) != keep.input_post:
        repaired.append("input_transformers_post")
        ip.input_transformers_post[:] = keep.input_post
    manager = ip.input_transformer_manager
    if list(manager.cleanup_transforms) != keep.cleanup or list(manager.line_transforms) != keep.line:
        repaired.append("input_transformer_manager")
        manager.cleanup_transforms[:] = keep.cleanup
        manager.line_transforms[:] = keep.line
    for name, saved in keep.events.items():
        if list(ip.events.callbacks.get(name, [])) != saved:
            repaired.append("events." + name)
            ip.events.callbacks[name][:] = saved
    class _Sentinel:
        pass
    def _nbcampus_eq(a, b):
        for value in (a, b):
            try:
                lies = bool(value == _Sentinel())
            except Exception:
                lies = False
            if lies:
                raise AssertionError(
                    "a value of type %s says it equals anything: not accepted" % type(value).__name__
                )
        return a == b
    ip.user_ns["_nbcampus_eq"] = _nbcampus_eq
    return repaired

_nbcampus_repaired = _nbcampus_guard()
del _nbcampus_guard
"""

#: the user expression the guard's reply must carry (proves the guard ran)
GUARD_RESULT = "_nbcampus_repaired"


class _StrictEquality(ast.NodeTransformer):
    """``assert a == b`` -> ``assert _nbcampus_eq(a, b)`` (and ``!=`` likewise)."""

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq | ast.NotEq)
        ):
            call = ast.Call(
                func=ast.Name("_nbcampus_eq", ast.Load()),
                args=[test.left, test.comparators[0]],
                keywords=[],
            )
            node.test = call if isinstance(test.ops[0], ast.Eq) else ast.UnaryOp(ast.Not(), call)
        return node


def marker_name(token: str) -> str:
    return f"_nbcampus_ran_{token}"


def rewrite_test_cell(source: str, token: str) -> str | None:
    """The test cell as the grader runs it, or None when it is not plain Python (magics).

    Equality asserts become strict, and ``_nbcampus_ran_<token> = True`` is set after the last
    statement that is not the cell's final expression (whose value nbgrader may read as partial
    credit, so it stays last).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    tree = _StrictEquality().visit(tree)
    marker = ast.Assign(
        targets=[ast.Name(marker_name(token), ast.Store())], value=ast.Constant(True), lineno=0
    )
    body = list(tree.body)
    if body and isinstance(body[-1], ast.Expr):
        body.insert(len(body) - 1, marker)
    else:
        body.append(marker)
    tree.body = body
    return ast.unparse(ast.fix_missing_locations(tree))
