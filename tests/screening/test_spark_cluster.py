"""Spark on a real cluster: a standalone master and worker on 127.0.0.1, started from the PySpark
package, screen a synthetic population to the same bytes as DuckDB.

The executors are separate JVMs started by the worker, and their Python workers import
``cluneal`` from the environment the worker was started in (the same virtual environment, as on
a cluster where every node has it installed); the knowledge pack travels with the job.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyspark
import pytest

from cluneal.screening.synth import generate

pytestmark = pytest.mark.spark
SPARK_CLASS = Path(pyspark.__file__).parent / "bin" / "spark-class"
#: How long the master and worker may take to come up on a busy machine (not a measurement).
START_TIMEOUT = 240
EXECUTOR_MB = 1536


@dataclass
class Cluster:
    master: str  # spark://127.0.0.1:PORT
    web: str  # the master's web UI
    work: Path  # the worker's directory: one folder per application it ran
    logs: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _java_home() -> str | None:
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    return str(Path(java).resolve().parents[1]) if java else None


def _environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CLUNEAL_KNOWLEDGE"}
    java_home = _java_home()
    if java_home:
        env["JAVA_HOME"] = java_home
    (tmp / "local").mkdir(exist_ok=True)
    env["SPARK_LOCAL_DIRS"] = str(tmp / "local")
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    return env


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A Spark daemon in a process group of its own (its executors and their Python workers
    join it), so that it can be stopped with all its children."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(SPARK_CLASS), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the daemon and every process of its group: TERM (the worker kills its executors),
    then KILL whatever is left. The daemon is reaped only at the end, so until then its id, the
    group's, cannot be given to another process."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    for _ in range(300):
        if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            break
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _state(web: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{web}/json/", timeout=5) as response:
            state: dict[str, Any] = json.load(response)
            return state
    except (OSError, ValueError):
        return None


def _logs(directory: Path) -> str:
    tails = (
        f"== {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in directory.glob("*.log")
    )
    return "\n".join(sorted(tails))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A standalone master and one worker (2 cores, 2 GB), stopped when the module is done."""
    tmp = tmp_path_factory.mktemp("spark-cluster")
    logs, work = tmp / "logs", tmp / "work"
    logs.mkdir()
    work.mkdir()
    env = _environment(tmp)
    # The pack travels with the job: executors that read a pack file would fail on this one.
    env["CLUNEAL_KNOWLEDGE"] = str(tmp / "no-such-pack.json")
    port, web_port, worker_web = _free_port(), _free_port(), _free_port()
    master_url, web = f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{web_port}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        master = ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1"]
        master += ["--port", str(port), "--webui-port", str(web_port)]
        processes.append(_start(master, logs / "master.log", env))
        worker = ["org.apache.spark.deploy.worker.Worker", master_url, "--cores", "2"]
        worker += ["--memory", "2g", "--host", "127.0.0.1", "--webui-port", str(worker_web)]
        worker += ["--work-dir", str(work)]
        processes.append(_start(worker, logs / "worker.log", env))
        deadline = time.monotonic() + START_TIMEOUT
        while (state := _state(web)) is None or state.get("aliveworkers", 0) < 1:
            stopped = [p.args for p in processes if p.poll() is not None]
            if stopped or time.monotonic() > deadline:
                pytest.fail(f"the cluster did not come up ({stopped}):\n{_logs(logs)}")
            time.sleep(1)
        yield Cluster(master_url, web, work, logs)
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture(scope="module")
def small_population(tmp_path_factory: pytest.TempPathFactory, synthea_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("cluster-population") / "export"
    generate(synthea_dir, out, 120, seed=5, planted_share=0.25)
    return out


def screen(export: Path, out: Path, *engine: str) -> subprocess.CompletedProcess[str]:
    env = _environment(out.parent)
    # Spark settings reach the driver as spark-submit arguments, as on a real cluster.
    env["PYSPARK_SUBMIT_ARGS"] = f"--conf spark.executor.memory={EXECUTOR_MB}m pyspark-shell"
    return subprocess.run(
        [sys.executable, "-m", "cluneal", "screen", str(export), "--out", str(out), *engine],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def test_a_standalone_cluster_screens_to_the_same_bytes_as_duckdb(
    cluster: Cluster, small_population: Path, tmp_path: Path
) -> None:
    duck, spark = tmp_path / "duckdb.csv", tmp_path / "spark.csv"
    done = screen(small_population, duck, "--engine", "duckdb")
    assert done.returncode == 0, done.stderr
    done = screen(small_population, spark, "--engine", "spark", "--spark-master", cluster.master)
    assert done.returncode == 0, f"{done.stderr}\n{_logs(cluster.logs)}"
    assert spark.read_bytes() == duck.read_bytes()
    summary = json.loads(done.stdout)
    assert summary["engine"] == "spark" and summary["tiers"]["red_flag"] > 0
    assert summary["notes"].endswith("clinical note(s) read") and summary["skipped"] == 0
    # the job ran on the cluster: the master lists it as finished, and the worker started its
    # executors, which read the notes with the notes pipeline
    state = _state(cluster.web)
    assert state is not None
    apps = [a for a in state["completedapps"] if a["name"] == "cluneal-screen"]
    assert [a["state"] for a in apps] == ["FINISHED"]
    assert apps[0]["memoryperexecutor"] == EXECUTOR_MB
    assert (cluster.work / apps[0]["id"]).is_dir()
