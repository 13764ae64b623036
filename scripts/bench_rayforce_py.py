"""The bench workloads through rayforce-py 2.4.0, against a running server.

Usage: python bench_rayforce_py.py PORT
Prints `name<TAB>median seconds` lines. The server must hold the tables `big` and the
empty-table recipe used by examples/bench.rs (it creates `ins_py` itself).
Install the client first: pip install rayforce-py==2.4.0 numpy
"""
import statistics
import sys
import time

from rayforce import Table
from rayforce.network.tcp.client import TCPClient


def median_of(n, fn, setup=None):
    samples = []
    for _ in range(n):
        if setup:
            setup()
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main():
    port = int(sys.argv[1])
    c = TCPClient("127.0.0.1", port)
    for _ in range(2000):
        c.execute("(+ 1 2)")
    print("round_trip\t%.9f" % median_of(20000, lambda: c.execute("(+ 1 2)")))
    print("til\t%.9f" % median_of(9, lambda: c.execute("(til 10000000)").to_numpy()))

    def columns():
        t = c.execute("big")
        return [t.at_column(n).to_numpy() for n in ("id", "px", "sym", "ts")]

    print("table_columns\t%.9f" % median_of(5, columns))
    cols = columns()
    ids, pxs, syms = cols[0].tolist(), cols[1].tolist(), [str(s) for s in cols[2]]
    reset = "(set ins_py (table [id px sym ts] (list [] (as 'F64 []) (as 'SYMBOL []) (as 'TIMESTAMP []))))"
    ts_py = [x.astype("datetime64[us]").item() for x in cols[3]]

    def insert():
        c.execute(Table("ins_py").insert(id=ids, px=pxs, sym=syms, ts=ts_py))

    print("insert\t%.9f" % median_of(3, insert, setup=lambda: c.execute(reset)))


if __name__ == "__main__":
    main()
