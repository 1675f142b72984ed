"""Package list for setuptools; all other metadata is in pyproject.toml.

pyproject.toml can either discover packages or list them, not both. This keeps discovery of every
``posecoach*`` package (as ``[tool.setuptools.packages.find]`` did, namespace folders included, so a
new subpackage needs no edit here) and adds the top-level ``models/`` folder as ``posecoach.models``
so the bundled pose model ships in the wheel and is found by ``importlib.resources``.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["posecoach*"], exclude=["*.__pycache__"])
    + ["posecoach.models"],
    package_dir={"posecoach.models": "models"},
)
