# Sourced by ./statekeeper and ./run-tests: points JAVA_HOME at a JDK 21 or newer.
# Order: $JAVA_HOME if new enough, then `java` on the PATH, then the newest JDK under /usr/lib/jvm.

_sk_java_major() { # prints the feature version of the JDK at $1, or 0
  local home="$1" v=""
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  elif [ -x "$home/bin/java" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  v=${v#1.}
  echo "${v%%[.+-]*}" | grep -E '^[0-9]+$' || echo 0
}

_sk_find_java() {
  local candidates=() best="" best_v=0 c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(_sk_java_major "$c")
    # the first candidate that is new enough wins if it is JAVA_HOME or the PATH's java
    if [ "$v" -ge 21 ] && [ "$c" = "${candidates[0]}" ]; then best="$c"; best_v="$v"; break; fi
    if [ "$v" -gt "$best_v" ]; then best="$c"; best_v="$v"; fi
  done
  if [ "$best_v" -lt 21 ]; then
    echo "statekeeper: needs a JDK 21 or newer (with javac); none found in JAVA_HOME, PATH or /usr/lib/jvm" >&2
    return 1
  fi
  export JAVA_HOME="$best"
}

_sk_find_java || exit 1
# Maven itself runs on this JDK; from JDK 24 its bundled Guava warns about sun.misc.Unsafe on every run.
if [ "$(_sk_java_major "$JAVA_HOME")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

