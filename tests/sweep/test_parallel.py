"""The same sweep on a local process pool and on a Dask LocalCluster of two worker processes gives the same
results."""

from __future__ import annotations

import pandas as pd
import pytest

from optimiser.sweep import sweep

from .conftest import TINY

COLUMNS = ["status", "objective", "budget_dual", "budget_used_musd", "tie_break_capex_busd",
           "dependence_all_final_separation", "total_shortfall_t"]


@pytest.mark.slow
def test_dask_local_cluster_equals_local_pool(sweep_file, tmp_path):
    distributed = pytest.importorskip("distributed")
    path = sweep_file("[grid]\ninteger_builds = [false, true]\nbudget_busd = [0.1, 0.25, 0.4, 0.55, 0.7]\n"
                      "lead_time_shift_years = [0, 1]")
    pool = sweep(path, inputs=TINY, out=tmp_path / "pool", workers=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = sweep(path, inputs=TINY, out=tmp_path / "dask", dask_scheduler=cluster.scheduler_address, progress=False)
    assert len(pool) == len(dask) == 20
    assert list(pool["scenario_id"]) == list(dask["scenario_id"])
    assert (pool["status"] == "optimal").all()
    assert pool["worker"].nunique() == 2, "the local pool used both workers"
    pd.testing.assert_frame_equal(pool[COLUMNS], dask[COLUMNS], rtol=1e-7, atol=1e-7)
