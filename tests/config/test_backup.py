"""Backups: the documented pg_dump / pg_restore round trip keeps every order
and its history."""

import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_dump_and_restore_into_a_new_database_keeps_every_order(order_in, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump/pg_restore: PostgreSQL only (DATABASE_URL)")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    for state in ("received", "returned", "cancelled", "printed"):
        order_in(state)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, number, state FROM workorders_workorder ORDER BY id")
        orders = cursor.fetchall()
        cursor.execute("SELECT order_id, transition, from_state, to_state FROM workorders_orderhistory ORDER BY id")
        history = cursor.fetchall()
    params = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    base = ["-h", params["HOST"] or "127.0.0.1", "-p", str(params["PORT"] or 5432), "-U", params["USER"]]
    dump = tmp_path / "care.dump"
    # The commands README.md documents.
    subprocess.run(["pg_dump", *base, "-Fc", "-f", str(dump), params["NAME"]], env=env, check=True, timeout=120)
    target = f"restore_{uuid.uuid4().hex[:10]}"
    subprocess.run(["createdb", *base, target], env=env, check=True, timeout=60)
    try:
        subprocess.run(["pg_restore", *base, "--no-owner", "-d", target, str(dump)], env=env, check=True, timeout=120)

        def query(sql: str) -> list:
            out = subprocess.run(
                ["psql", *base, "-d", target, "-At", "-F", "|", "-c", sql], env=env, check=True, capture_output=True,
                text=True, timeout=60,
            ).stdout
            return [tuple(line.split("|")) for line in out.splitlines()]

        restored_orders = query("SELECT id, number, state FROM workorders_workorder ORDER BY id")
        restored_history = query(
            "SELECT order_id, transition, from_state, to_state FROM workorders_orderhistory ORDER BY id"
        )
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", target], env=env, timeout=60)
    assert restored_orders == [(str(i), n, s) for i, n, s in orders]
    assert restored_history == [(str(o), t, f, s) for o, t, f, s in history]
    assert len(history) == 1 + 5 + 2 + 3  # create, plus the steps to each state
