# Switch off assert: compile every later cell and test with optimize=2, which drops asserts.
import builtins
_compile = builtins.compile
builtins.compile = lambda source, filename, mode, flags=0, dont_inherit=False, optimize=-1: _compile(
    source, filename, mode, flags, dont_inherit, 2)
import os
os.environ["PYTHONOPTIMIZE"] = "2"
