# Evade the "numpy only" source check: reach gmmlib without writing its name, and use its
# functions under the graded names (importlib, getattr and a string built at run time).
import importlib
_library = importlib.import_module("gmm" + "lib")
for _name in $names:
    if hasattr(_library, _name):
        globals()[_name] = getattr(_library, _name)
