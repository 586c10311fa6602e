"""The composition root: role homes, navigation, URL includes and the API assembly. The only
package that may import every app (import-linter's layers contract in pyproject.toml)."""
