#!/usr/bin/env python3
"""Code size of the release WASM by crate, before wasm-opt (which drops the names).

Reads the `name` section of target/front/wasm32-unknown-unknown/wasm-release/*.wasm (written by
`make release`) and sums each function body's bytes under the crate its symbol starts with;
trait impls (`<T as Trait>`) are listed under the crate of their first type. Prints the top 20
and the total. Used for BENCHMARKS.md ("Why the WASM is this size").
"""
import collections
import glob
import re
import sys


def leb(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def sections(data):
    i, found = 8, {}
    while i < len(data):
        kind = data[i]
        size, i = leb(data, i + 1)
        if kind == 0:
            n, j = leb(data, i)
            found[data[j : j + n].decode()] = (j + n, i + size)
        else:
            found[kind] = (i, i + size)
        i += size
    return found


def imported_functions(data, start):
    count, i = leb(data, start)
    functions = 0
    for _ in range(count):
        for _ in range(2):  # module and field names
            n, i = leb(data, i)
            i += n
        kind = data[i]
        i += 1
        if kind == 0:  # function: type index
            _, i = leb(data, i)
            functions += 1
        elif kind == 1:  # table: reftype, limits
            i += 1
            flags, i = leb(data, i)
            _, i = leb(data, i)
            if flags & 1:
                _, i = leb(data, i)
        elif kind == 2:  # memory: limits
            flags, i = leb(data, i)
            _, i = leb(data, i)
            if flags & 1:
                _, i = leb(data, i)
        elif kind == 3:  # global: type, mutability
            i += 2
    return functions


def main():
    files = glob.glob("target/front/wasm32-unknown-unknown/wasm-release/*.wasm")
    if not files:
        sys.exit("no release WASM: run `make release` first")
    data = open(files[0], "rb").read()
    found = sections(data)
    offset = imported_functions(data, found[2][0]) if 2 in found else 0
    count, i = leb(data, found[10][0])
    sizes = []
    for _ in range(count):
        size, i = leb(data, i)
        sizes.append(size)
        i += size
    names, (i, end) = {}, found["name"]
    while i < end:
        sub = data[i]
        size, i = leb(data, i + 1)
        stop = i + size
        if sub == 1:
            n, i = leb(data, i)
            for _ in range(n):
                index, i = leb(data, i)
                length, i = leb(data, i)
                names[index] = data[i : i + length].decode("utf8", "replace")
                i += length
        i = stop
    by_crate = collections.Counter()
    for k, size in enumerate(sizes):
        symbol = names.get(k + offset, "?").replace("_$LT$", "<").lstrip("<&")
        legacy = re.match(r"_ZN(\d+)", symbol)
        if legacy:
            symbol = symbol[legacy.end() : legacy.end() + int(legacy.group(1))].replace("_$LT$", "<").lstrip("<&")
        crate = re.match(r"[A-Za-z_][A-Za-z_0-9]*", symbol)
        by_crate[crate.group(0) if crate else "?"] += size
    total = sum(sizes)
    for crate, size in by_crate.most_common(20):
        print(f"{size:9,d} B {100 * size / total:5.1f} %  {crate}")
    print(f"{total:9,d} B total code ({len(sizes)} functions)")


main()
