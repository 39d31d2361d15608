#!/usr/bin/env bash
# Generates a self-signed PKCS12 keystore for LOCAL HTTPS/WSS with Payara Micro, and prints the
# exact options that make Payara Micro serve it. Never use it in production (see README.md).
#
#   deploy/tls/make-dev-keystore.sh [-d DIR] [-p PASSWORD] [-f]
#
#   -d DIR       output directory            (env TOCSIN_TLS_DIR,  default: <repo>/target/tls)
#   -p PASSWORD  keystore (and key) password (env TOCSIN_KEYSTORE_PASSWORD,
#                default: the one saved in DIR/keystore.password, else a new random one)
#   -f           replace an existing keystore (otherwise it is kept and only the options are printed)
#   env TOCSIN_SSL_PORT  the HTTPS port used in the printed commands (default: 8443)
#
# Writes into DIR (a new DIR is created with mode 700):
#   tocsin-dev.p12      PKCS12 keystore, one key pair under the alias "tocsin":
#                       RSA 2048, CN=localhost, SAN dns:localhost,ip:127.0.0.1, valid 825 days
#   tocsin-dev.crt      the certificate alone (PEM): give it to curl --cacert, or import it in a browser
#   keystore.password   the password (mode 600)
# The default DIR is under target/, which .gitignore excludes: nothing here is ever committed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

dir=${TOCSIN_TLS_DIR:-$repo/target/tls}
password=${TOCSIN_KEYSTORE_PASSWORD:-}
force=false
alias=tocsin
port=${TOCSIN_SSL_PORT:-8443}

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; }
while getopts ':d:p:fh' opt; do
    case $opt in
        d) dir=$OPTARG ;;
        p) password=$OPTARG ;;
        f) force=true ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

command -v keytool >/dev/null || { echo "keytool not found: install a JDK (the one that runs Payara Micro)" >&2; exit 1; }

if [[ ! -d $dir ]]; then
    mkdir -p "$dir"
    chmod 700 "$dir"
fi
dir=$(cd "$dir" && pwd)
case $dir/ in
    "$repo"/target/*) ;;
    "$repo"/*) echo "warning: $dir is inside the repository but not under target/: never commit a keystore" >&2 ;;
esac
keystore=$dir/tocsin-dev.p12
cert=$dir/tocsin-dev.crt
passfile=$dir/keystore.password

if [[ -z $password && -s $passfile ]]; then
    password=$(<"$passfile")
fi
if [[ -z $password ]]; then
    # 24 random alphanumerics; no shell or property-file metacharacters in the printed options.
    password=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true)
fi
if (( ${#password} < 6 )); then
    echo "the keystore password must have at least 6 characters (keytool's rule)" >&2; exit 2
fi
if [[ $password =~ [^A-Za-z0-9._+=-] ]]; then
    echo "use only letters, digits and . _ + = - in the password (it goes on a java command line)" >&2; exit 2
fi

if [[ -e $keystore && $force != true ]]; then
    echo "Keeping the existing $keystore (pass -f to replace it)." >&2
    keytool -list -keystore "$keystore" -storetype PKCS12 -storepass "$password" -alias "$alias" >/dev/null \
        || { echo "cannot open $keystore with that password (-p, TOCSIN_KEYSTORE_PASSWORD or $passfile)" >&2; exit 1; }
else
    rm -f "$keystore" "$cert"
    # PKCS12 keeps one password for the store and the key, which is what Payara (Grizzly) expects.
    keytool -genkeypair -noprompt \
        -alias "$alias" -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -validity 825 \
        -dname "CN=localhost, OU=Tocsin local development, O=Tocsin" \
        -ext "SAN=dns:localhost,ip:127.0.0.1" \
        -ext "KU=digitalSignature,keyEncipherment" -ext "EKU=serverAuth" \
        -keystore "$keystore" -storetype PKCS12 -storepass "$password"
fi
chmod 600 "$keystore"
( umask 077; printf '%s' "$password" >"$passfile" )
keytool -exportcert -rfc -alias "$alias" -keystore "$keystore" -storetype PKCS12 -storepass "$password" -file "$cert" 2>/dev/null
chmod 644 "$cert"

fingerprint=$(keytool -list -v -alias "$alias" -keystore "$keystore" -storetype PKCS12 -storepass "$password" \
    | sed -n 's/^[[:space:]]*SHA256: //p' | head -n 1)

cat <<EOF
Keystore:    $keystore  (PKCS12, alias $alias)
Certificate: $cert  (SHA-256 $fingerprint)
Password:    in $passfile

Payara Micro options (HTTPS on port $port):
  JVM options:   -Djavax.net.ssl.keyStore=$keystore -Djavax.net.ssl.keyStorePassword=$password
  Micro options: --sslport $port --sslcert $alias

With deploy/micro.sh (JAVA_OPTS replaces its default heap options, so they are repeated):
  JAVA_OPTS="-Xms256m -Xmx1g -Djavax.net.ssl.keyStore=$keystore -Djavax.net.ssl.keyStorePassword=$password" \\
  TOCSIN_ROOT=$repo/target/payara-root-tls \\
  TOCSIN_ORIGINS_ALLOWED="https://localhost:$port,https://127.0.0.1:$port" \\
  bash $repo/deploy/micro.sh --systemproperties $repo/deploy/demo.properties --sslport $port --sslcert $alias

- Payara Micro copies the keystore over <rootdir>/config/keystore.p12 at boot. Keep a separate
  TOCSIN_ROOT for TLS runs: a root that holds this keystore no longer boots without these options
  (the application fails to deploy: "keystore password was incorrect"). To reuse such a root,
  delete its config/keystore.p12 and Payara restores its default.
- The page's origin (https://localhost:$port) must be on tocsin.origins.allowed, or the WebSocket
  upgrade gets 403. TOCSIN_ORIGINS_ALLOWED replaces the built-in list (http://localhost:8080,...).
- Check it with certificate verification on:
  curl --cacert $cert https://localhost:$port/api/keys
EOF
