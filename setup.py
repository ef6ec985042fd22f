"""Packaging: pyproject.toml says everything else; this file says what TOML cannot.

templates/, static/, migrations/ and translations/ sit at the top of the checkout, where the
app, tools/i18n.sh, babel.cfg and the docs name them. An installed eventhub has no checkout, so
the wheel carries them inside the package as eventhub/templates/ and so on; the app looks there
first (eventhub.config.shipped_folder). setuptools can only map folders into a package for an
explicit package list, which pyproject's [tool.setuptools] cannot combine with package discovery.
"""

from setuptools import find_packages, setup

SHIPPED = ("templates", "static", "migrations", "translations")

setup(
    packages=[
        *find_packages(include=["eventhub", "eventhub.*"]),
        *(f"eventhub.{name}" for name in SHIPPED),
    ],
    package_dir={f"eventhub.{name}": name for name in SHIPPED},
    package_data={f"eventhub.{name}": ["**/*"] for name in SHIPPED},
    exclude_package_data={f"eventhub.{name}": ["**/__pycache__/*"] for name in SHIPPED},
)
