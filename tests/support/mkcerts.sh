#!/bin/sh
# tests/support/mkcerts.sh DIR -- make the TLS test PKI in DIR with openssl.
#
# Two test CAs (ca-ec: P-256, ca-rsa: RSA-2048; bundle: ca.pem) and a
# rogue CA that no test trusts. Certificates (name.pem + name.key,
# PKCS#8 keys), all for DNS:localhost and DNS:alt.localhost unless said:
#   server-ec      P-256, by ca-ec, valid 2020-01-01 .. 2099-12-31
#   server-ec384   P-384, by ca-ec, same dates
#   server-rsa     RSA-2048, by ca-rsa, same dates
#   expired        P-256, by ca-ec, valid 2020-01-01 .. 2021-01-01
#   notyet         P-256, by ca-ec, valid 2090-01-01 .. 2091-01-01
#   old            P-256, by ca-ec, valid 2000-01-01 .. 2010-01-01
#   wronghost      P-256, by ca-ec, only DNS:wrong.example.com
#   server-ip      P-256, by ca-ec, IP:127.0.0.1, IP:::1, DNS:localhost
#   server-ip2     P-256, by ca-ec, IP:127.0.0.2, IP:::2 (and CN 127.0.0.1)
#   untrusted      P-256, by the rogue CA
#   client-ec      P-256, by ca-ec, clientAuth (and client-ec-sec1.key:
#                  the same key as "EC PRIVATE KEY")
#   client-rsa     RSA-2048, by ca-rsa, clientAuth (and
#                  client-rsa-trad.key as "RSA PRIVATE KEY")
#   leaf-chain.pem server-ec followed by ca-ec (a chain file)
#   long-chain.pem client-ec followed by ca-ec four times (5 certificates)
#   client-ec-enc.key  client-ec.key encrypted (password "cpjob")
# Dates are fixed so that valid certificates also cover the build date.
set -eu
DIR=${1:?usage: mkcerts.sh DIR}
mkdir -p "$DIR"
cd "$DIR"
[ -f done ] && exit 0

cat >ca.cnf <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:alt.localhost
[ wronghost ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.com
[ ip ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost
[ ip2 ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.2, IP:::2, DNS:127.0.0.1
[ client ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF
mkdir -p newcerts
: >index.txt
echo 1000 >serial

key() {	# name ec|ec384|rsa
	case "$2" in
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null ;;
	ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" 2>/dev/null ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null ;;
	esac
}

ca() {	# name type CN
	key "$1" "$2"
	openssl req -new -key "$1.key" -subj "/O=cpjob tests/CN=$3" -config ca.cnf \
		-out "$1.csr"
	openssl ca -batch -notext -selfsign -config ca.cnf -keyfile "$1.key" \
		-in "$1.csr" -out "$1.pem" -extensions v3_ca \
		-startdate 20000101000000Z -enddate 20991231235959Z 2>/dev/null
}

cert() {	# name type CA ext start end CN
	key "$1" "$2"
	openssl req -new -key "$1.key" -subj "/O=cpjob tests/CN=$7" -config ca.cnf \
		-out "$1.csr"
	openssl ca -batch -notext -config ca.cnf -cert "$3.pem" -keyfile "$3.key" \
		-in "$1.csr" -out "$1.pem" -extensions "$4" \
		-startdate "$5" -enddate "$6" 2>/dev/null
}

V0=20200101000000Z
V1=20991231235959Z
ca ca-ec ec "cpjob test EC CA"
ca ca-rsa rsa "cpjob test RSA CA"
ca rogue-ca ec "cpjob rogue CA"
cat ca-ec.pem ca-rsa.pem >ca.pem

cert server-ec ec ca-ec server $V0 $V1 localhost
cert server-ec384 ec384 ca-ec server $V0 $V1 localhost
cert server-rsa rsa ca-rsa server $V0 $V1 localhost
cert expired ec ca-ec server 20200101000000Z 20210101000000Z localhost
cert notyet ec ca-ec server 20900101000000Z 20910101000000Z localhost
cert old ec ca-ec server 20000101000000Z 20100101000000Z localhost
cert wronghost ec ca-ec wronghost $V0 $V1 wrong.example.com
cert untrusted ec rogue-ca server $V0 $V1 localhost
cert server-ip ec ca-ec ip $V0 $V1 localhost
cert server-ip2 ec ca-ec ip2 $V0 $V1 127.0.0.1
cert client-ec ec ca-ec client $V0 $V1 "cpjob test device"
cert client-rsa rsa ca-rsa client $V0 $V1 "cpjob test device"
openssl ec -in client-ec.key -out client-ec-sec1.key 2>/dev/null
openssl rsa -traditional -in client-rsa.key -out client-rsa-trad.key 2>/dev/null
openssl pkey -in client-ec.key -aes128 -passout pass:cpjob -out client-ec-enc.key 2>/dev/null
cat server-ec.pem ca-ec.pem >leaf-chain.pem
cat client-ec.pem ca-ec.pem ca-ec.pem ca-ec.pem ca-ec.pem >long-chain.pem
rm -f ./*.csr
touch done
