"""Reading `callroute plan/apply -f`: one file, or a folder merged into one document."""

from __future__ import annotations

from pathlib import Path

import pytest

from callroute.cli.documents import load, merge
from callroute.cli.exits import CliFailure


def test_a_folder_concatenates_each_list_in_file_order(tmp_path: Path) -> None:
    (tmp_path / "b-routers.yaml").write_text("routers:\n  - name: Main hotline\n")
    (tmp_path / "a-people.yml").write_text(
        "version: 1\nmembers:\n  - name: Ann\n  - name: Bob\nrouters:\n  - name: Night line\n"
    )
    (tmp_path / "c.json").write_text('{"version": 1, "members": [{"name": "Chris"}]}')
    (tmp_path / "notes.txt").write_text("not a document")
    (tmp_path / "empty.yaml").write_text("")
    assert load(str(tmp_path)) == {
        "version": 1,
        "members": [{"name": "Ann"}, {"name": "Bob"}, {"name": "Chris"}],
        "routers": [{"name": "Night line"}, {"name": "Main hotline"}],
    }


def test_a_value_that_is_not_a_list_belongs_in_one_file() -> None:
    with pytest.raises(CliFailure, match=r"^project: given differently in a.yaml and b.yaml"):
        merge([("a.yaml", {"project": "demo"}), ("b.yaml", {"project": "other"})])
    with pytest.raises(CliFailure, match=r"^routers: a list in a.yaml but not in b.yaml"):
        merge([("a.yaml", {"routers": []}), ("b.yaml", {"routers": {"name": "x"}})])
    assert merge([("a", {"version": 1}), ("b", {"version": 1})]) == {"version": 1}


def test_merging_never_changes_the_documents_read() -> None:
    first = {"members": [{"name": "Ann"}]}
    merge([("a", first), ("b", {"members": [{"name": "Bob"}]})])
    assert first == {"members": [{"name": "Ann"}]}


def test_unreadable_documents_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("routers: [\n")
    (tmp_path / "list.yaml").write_text("- name: x\n")
    (tmp_path / "bad.json").write_text("{routers: 1}")
    for name, message in (
        ("bad.yaml", "not YAML"),
        ("list.yaml", "a document is a mapping"),
        ("bad.json", "not JSON"),
        ("missing.yaml", "no such file or folder"),
    ):
        with pytest.raises(CliFailure) as raised:
            load(str(tmp_path / name))
        assert message in str(raised.value)
        assert "\n" not in str(raised.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CliFailure, match=r"no \.yaml, \.yml or \.json file"):
        load(str(tmp_path / "empty"))
