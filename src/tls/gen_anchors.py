#!/usr/bin/python3
"""gen_anchors.py -- write src/tls/tls_builtin_anchors.c, the compiled-in
trust anchors, from Debian's ca-certificates PEM files.

    /usr/bin/python3 src/tls/gen_anchors.py -o src/tls/tls_builtin_anchors.c
    (or: make anchors)

Each certificate is parsed here (DER, no third-party module): the subject
name is kept as its DER encoding and the public key as BearSSL's
br_x509_pkey wants it (RSA modulus and exponent as unsigned big-endian
without leading zeros; EC curve id and uncompressed point). The output is
deterministic: the same inputs give the same file.

    --measure FILE   print the anchors and bytes (DN + key) that FILE, a PEM
                     bundle, needs in a run-time store (CA certificates only)
"""

import argparse
import base64
import hashlib
import os
import re
import sys

CA_DIR = "/usr/share/ca-certificates/mozilla"
SOURCES = [
    "Amazon_Root_CA_1.crt",
    "Amazon_Root_CA_2.crt",
    "Amazon_Root_CA_3.crt",
    "Amazon_Root_CA_4.crt",
    "Starfield_Services_Root_Certificate_Authority_-_G2.crt",
]

OID_RSA = bytes.fromhex("2a864886f70d010101")
OID_EC = bytes.fromhex("2a8648ce3d0201")
OID_BASIC_CONSTRAINTS = bytes.fromhex("551d13")
# Named curves: DER OID value -> (BearSSL curve id, symbolic name).
CURVES = {
    bytes.fromhex("2a8648ce3d030107"): (23, "BR_EC_secp256r1"),
    bytes.fromhex("2b81040022"): (24, "BR_EC_secp384r1"),
    bytes.fromhex("2b81040023"): (25, "BR_EC_secp521r1"),
}


class DerError(Exception):
    pass


def tlv(buf, off, end):
    """Return (tag, start of value, end of value, end of element)."""
    if off + 2 > end:
        raise DerError("truncated element")
    tag = buf[off]
    n = buf[off + 1]
    off += 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or off + k > end:
            raise DerError("bad length")
        n = int.from_bytes(buf[off:off + k], "big")
        off += k
    if off + n > end:
        raise DerError("element overruns its container")
    return tag, off, off + n, off + n


def children(buf, start, end):
    """The elements of a constructed value: (tag, value start, value end,
    element start)."""
    out = []
    off = start
    while off < end:
        es = off
        tag, vs, ve, off = tlv(buf, off, end)
        out.append((tag, vs, ve, es))
    return out


def strip_zeros(b):
    i = 0
    while i < len(b) - 1 and b[i] == 0:
        i += 1
    return b[i:]


def parse_cert(der):
    """Return dict: dn (DER), is_ca, key ('rsa', n, e) or ('ec', curve, q)."""
    tag, vs, ve, _ = tlv(der, 0, len(der))
    if tag != 0x30 or ve != len(der):
        raise DerError("certificate is not one SEQUENCE")
    cert = children(der, vs, ve)
    if len(cert) != 3 or cert[0][0] != 0x30:
        raise DerError("bad certificate structure")
    tbs = children(der, cert[0][1], cert[0][2])
    i = 1 if tbs[0][0] == 0xA0 else 0
    if len(tbs) < i + 6:
        raise DerError("short TBSCertificate")
    # serial, signature, issuer, validity, subject, spki, extensions...
    subj = tbs[i + 4]
    spki = tbs[i + 5]
    if subj[0] != 0x30 or spki[0] != 0x30:
        raise DerError("bad subject or SubjectPublicKeyInfo")
    # The DN is the whole encoded Name, tag and length included.
    dn = der[subj[3]:subj[2]]
    alg, bits = children(der, spki[1], spki[2])
    algp = children(der, alg[1], alg[2])
    oid = der[algp[0][1]:algp[0][2]]
    if bits[0] != 0x03 or der[bits[1]] != 0:
        raise DerError("bad public key BIT STRING")
    keybits = der[bits[1] + 1:bits[2]]
    if oid == OID_RSA:
        _, s, e, _ = tlv(keybits, 0, len(keybits))
        nn, ee = children(keybits, s, e)
        key = ("rsa", strip_zeros(keybits[nn[1]:nn[2]]),
               strip_zeros(keybits[ee[1]:ee[2]]))
    elif oid == OID_EC:
        coid = der[algp[1][1]:algp[1][2]]
        if coid not in CURVES:
            raise DerError("unsupported curve")
        key = ("ec", CURVES[coid], keybits)
    else:
        raise DerError("unsupported key type")
    # Basic constraints: the cA flag.
    is_ca = False
    for t, s, e, _ in tbs[i + 6:]:
        if t != 0xA3:
            continue
        exts = children(der, s, e)
        if len(exts) != 1 or exts[0][0] != 0x30:
            raise DerError("bad extensions")
        for _, s3, e3, _ in children(der, exts[0][1], exts[0][2]):
            ext = children(der, s3, e3)
            if der[ext[0][1]:ext[0][2]] != OID_BASIC_CONSTRAINTS:
                continue
            val = ext[-1]
            bc = children(der, val[1], val[2])
            if bc and bc[0][0] == 0x30:
                inner = children(der, bc[0][1], bc[0][2])
                if inner and inner[0][0] == 0x01 and der[inner[0][1]] != 0:
                    is_ca = True
    return {"dn": dn, "is_ca": is_ca, "key": key}


def pem_certs(text):
    pat = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
                     re.S)
    return [base64.b64decode("".join(m.group(1).split()))
            for m in pat.finditer(text)]


def c_bytes(name, data):
    lines = ["static const unsigned char %s[] = {" % name]
    for k in range(0, len(data), 12):
        chunk = ", ".join("0x%02X" % b for b in data[k:k + 12])
        lines.append("\t" + chunk + ",")
    lines.append("};")
    return "\n".join(lines)


def generate(paths):
    out = []
    out.append("/*")
    out.append(" * tls_builtin_anchors.c -- compiled-in trust anchors (generated, do not edit).")
    out.append(" *")
    out.append(" * Made by src/tls/gen_anchors.py from Debian's ca-certificates; to")
    out.append(" * regenerate (after a ca-certificates update):")
    out.append(" *")
    out.append(" *     make anchors")
    out.append(" *")
    out.append(" * which runs")
    out.append(" *     /usr/bin/python3 src/tls/gen_anchors.py \\")
    out.append(" *         -o src/tls/tls_builtin_anchors.c")
    out.append(" *")
    out.append(" * Sources (SHA-256 of the DER certificate):")
    anchors = []
    for p in paths:
        with open(p, "r", encoding="ascii") as f:
            ders = pem_certs(f.read())
        if len(ders) != 1:
            raise DerError("%s: expected one certificate" % p)
        der = ders[0]
        c = parse_cert(der)
        if not c["is_ca"]:
            raise DerError("%s: not a CA certificate" % p)
        out.append(" *   %s" % os.path.basename(p))
        out.append(" *     %s" % hashlib.sha256(der).hexdigest())
        anchors.append(c)
    out.append(" */")
    out.append('#include "inner.h"')
    out.append("")
    out.append("#if CPJ_TLS_BUILTIN_ANCHORS != %d" % len(anchors))
    out.append('#error "CPJ_TLS_BUILTIN_ANCHORS does not match the generated table"')
    out.append("#endif")
    out.append("")
    for k, c in enumerate(anchors):
        out.append(c_bytes("TA%d_DN" % k, c["dn"]))
        out.append("")
        if c["key"][0] == "rsa":
            out.append(c_bytes("TA%d_RSA_N" % k, c["key"][1]))
            out.append("")
            out.append(c_bytes("TA%d_RSA_E" % k, c["key"][2]))
        else:
            out.append(c_bytes("TA%d_EC_Q" % k, c["key"][2]))
        out.append("")
    out.append("static const br_x509_trust_anchor TAs[%d] = {" % len(anchors))
    for k, c in enumerate(anchors):
        out.append("\t{")
        out.append("\t\t{ (unsigned char *)TA%d_DN, sizeof TA%d_DN },"
                   % (k, k))
        out.append("\t\tBR_X509_TA_CA,")
        out.append("\t\t{")
        if c["key"][0] == "rsa":
            out.append("\t\t\tBR_KEYTYPE_RSA,")
            out.append("\t\t\t{ .rsa = {")
            out.append("\t\t\t\t(unsigned char *)TA%d_RSA_N, sizeof TA%d_RSA_N,"
                       % (k, k))
            out.append("\t\t\t\t(unsigned char *)TA%d_RSA_E, sizeof TA%d_RSA_E,"
                       % (k, k))
            out.append("\t\t\t} }")
        else:
            out.append("\t\t\tBR_KEYTYPE_EC,")
            out.append("\t\t\t{ .ec = {")
            out.append("\t\t\t\t%s," % c["key"][1][1])
            out.append("\t\t\t\t(unsigned char *)TA%d_EC_Q, sizeof TA%d_EC_Q,"
                       % (k, k))
            out.append("\t\t\t} }")
        out.append("\t\t}")
        out.append("\t},")
    out.append("};")
    out.append("")
    out.append("/* see cpj_tls.h */")
    out.append("size_t")
    out.append("cpj_tls_builtin_anchors(const br_x509_trust_anchor **out)")
    out.append("{")
    out.append("\tif (out != NULL) {")
    out.append("\t\t*out = TAs;")
    out.append("\t}")
    out.append("\treturn CPJ_ARRAY_LEN(TAs);")
    out.append("}")
    return "\n".join(out) + "\n"


def measure(path):
    with open(path, "r", encoding="ascii", errors="replace") as f:
        ders = pem_certs(f.read())
    n = 0
    total = 0
    for der in ders:
        c = parse_cert(der)
        if not c["is_ca"]:
            continue
        n += 1
        if c["key"][0] == "rsa":
            total += len(c["dn"]) + len(c["key"][1]) + len(c["key"][2])
        else:
            total += len(c["dn"]) + len(c["key"][2])
    print("%s: %d certificates, %d CA anchors, %d bytes (DN + key)"
          % (path, len(ders), n, total))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", help="output file (default: stdout)")
    ap.add_argument("--ca-dir", default=CA_DIR,
                    help="directory of the PEM sources (default: %(default)s)")
    ap.add_argument("--measure", metavar="FILE",
                    help="report the store size a PEM bundle needs")
    args = ap.parse_args()
    if args.measure:
        measure(args.measure)
        return 0
    text = generate([os.path.join(args.ca_dir, s) for s in SOURCES])
    if args.output:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(text)
        os.replace(tmp, args.output)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
