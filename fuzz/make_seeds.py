#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Small valid (and nearly valid) inputs, so that each target starts past its
first checks. The other files of fuzz/corpus/ (named by their SHA-1) are the
inputs of a long run that added coverage, merged in with
  build-fuzz/fuzz/<t>_fuzz -merge=1 fuzz/corpus/<t> build-fuzz/corpus/<t> The protobuf messages are encoded by hand (wire format) to
need no generated code. Run again after changing a message; the files are
committed. No personal data: the NIRs are the documentation's examples.
"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def f_int(num, value):
    return varint(num << 3) + varint(value)


def f_bytes(num, value):
    if isinstance(value, str):
        value = value.encode()
    return varint((num << 3) | 2) + varint(len(value)) + value


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


NIR = "295109912611193"
NIR_CORSICA = "253072B07300470"


def beneficiary(nir=NIR, birth="1995-10-12", rank=1):
    return f_bytes(1, nir) + f_bytes(2, birth) + f_int(3, rank)


def claim_line(act="PHAR1", cat=1, qty=1, fee=1000, base=1000, amo=650):
    return (f_bytes(1, act) + f_int(2, cat) + f_int(3, qty) + f_int(4, fee) +
            f_int(5, base) + f_int(6, amo))


def seeds():
    # nir
    for i, s in enumerate([NIR, NIR_CORSICA, "2 95 10 99 126 111 93",
                           "2.95.10.99.126.111.93", "253072b07300470",
                           "295109912611194", "2951099126111", "", "x" * 65]):
        write("nir", "seed%d" % i, s)

    # request: first byte selects the message (fuzz/request_fuzz.cc kTargets)
    submit = (f_bytes(1, "INV-1") + f_bytes(2, beneficiary()) +
              f_bytes(3, "100000001") + f_bytes(4, "2026-11-20") +
              f_bytes(5, claim_line()) + f_bytes(5, claim_line("CONS", 2)))
    elig = (f_bytes(1, beneficiary()) + f_bytes(2, "100000001") +
            f_bytes(3, "2026-11-20") + f_int(4, 1))
    listing = (f_int(1, 1) + f_bytes(2, "2026-01-01") +
               f_bytes(3, "2026-12-31") + f_bytes(4, "c0ffee") + f_int(5, 10))
    claim_id = f_bytes(1, "c0ffee") + f_bytes(2, "duplicate")
    contract = (f_bytes(1, "BASIC") +
                f_bytes(2, f_int(1, 1) + f_int(2, 10000) + f_int(3, 50000)) +
                f_bytes(2, f_int(1, 4) + f_int(2, 20000)))
    member = (f_bytes(1, "A-1") + f_bytes(2, NIR) + f_bytes(3, "1995-10-12") +
              f_int(4, 1) + f_bytes(5, "Martin") + f_bytes(6, "Alex") +
              f_int(7, 1) + f_int(8, 2) + f_bytes(9, "BASIC") +
              f_bytes(10, "2026-01-01") + f_bytes(11, "2026-12-31"))
    lookup = f_bytes(1, beneficiary(NIR_CORSICA, "1953-07-01", 2))
    isolate = f_bytes(1, f_int(1, 2) + f_bytes(2, "100000001")) + f_bytes(
        2, "breach suspected") + f_int(3, 1)
    propose = (f_bytes(1, f_int(1, 1)) + f_int(2, 3) +
               f_bytes(3, "750100001") + f_bytes(3, "100000001") +
               f_bytes(3, "750100001") + f_bytes(4, "step one"))
    run = f_bytes(1, "100000001") + f_bytes(2, "2026-11-27")
    digest = hashlib.sha256(b"").hexdigest()
    ack = (f_bytes(1, "100000001-20261127") + f_int(2, 3) + f_int(3, 1234) +
           f_bytes(4, digest))
    stream = f_bytes(1, "100000001-20261127")
    for i, m in enumerate([submit, elig, listing, claim_id, contract, member,
                           lookup, isolate, propose, run, ack, stream]):
        write("request", "seed%02d" % i, bytes([i]) + m)

    # csv: first byte = chunk size - 1 (low 6 bits), 0x80 adds the header
    header = ("adherent_number,nir,birth_date,birth_rank,last_name,first_name,"
              "relationship,marital_status,contract_id,coverage_from,"
              "coverage_to")
    row = "A-1,%s,1995-10-12,1,Martin,Alex,insured,married,BASIC,2026-01-01,2026-12-31" % NIR
    quoted = 'A-2,%s,1953-07-01,2,"Le ""Grand"", Jean",\u00c9lise,spouse,,BASIC,2026-01-01,2026-12-31' % NIR_CORSICA
    write("csv", "seed0", b"\x07" + ("%s\n%s\n%s\n" % (header, row, quoted)).encode())
    write("csv", "seed1", b"\x80" + ("%s\r\n%s" % (row, quoted)).encode())
    write("csv", "seed2", b"\x01" + b"\xef\xbb\xbf" + ("%s\r\n%s\r\n" % (header, row)).encode())
    shuffled = "nir,adherent_number,birth_date,birth_rank,last_name,first_name,relationship,marital_status,contract_id,coverage_from,coverage_to"
    write("csv", "seed3", b"\x3f" + ("%s\n%s,A-3,1995-10-12,1,X,Y,child,,C,2026-01-01,2026-12-31\n" % (shuffled, NIR)).encode())
    write("csv", "seed4", b"\x80" + 'A,"unterminated\n'.encode())

    # keys: FuzzedDataProvider bytes
    write("keys", "seed0", b"750100001\x00c0ffee\x00100000001\x00" + b"\x01" * 40)
    write("keys", "seed1", bytes(range(256)))

    # records: first byte selects the decoder (fuzz/records_fuzz.cc)
    stored_claim = (f_bytes(1, "c0ffee") + f_bytes(2, "750100001") +
                    f_bytes(3, "100000001") + f_bytes(4, "m1") +
                    f_bytes(5, "INV-1") + f_bytes(6, "2026-11-20") +
                    f_int(7, 1))
    write("records", "seed0", b"\x00" + stored_claim)
    write("records", "seed1", b"\x01" + b"\x01\x00\x00\x00\x07" + b"\x00" * 40)
    write("records", "seed2", b"\x02\x05\x01plaintext")
    write("records", "seed3", b"\x03" + b"\x01\x00\x00\x00\x00" + b"\x00" * 30)
    write("records", "seed4", b"\x04tpp-share-v1 1 3 " + b"00" * 32 + b" " + b"0" * 16)
    write("records", "seed5", b"\x05" + f_bytes(1, "100000001-20261127") +
          f_bytes(2, "100000001") + f_bytes(3, "2026-11-27"))
    write("records", "seed6", b"\x06" + f_int(1, 1) + f_int(2, 3))

    # digest: FuzzedDataProvider bytes
    write("digest", "seed0", bytes(range(200)))
    write("digest", "seed1", b"\x03" + b"c0ffee-1" * 20)


if __name__ == "__main__":
    seeds()
