#!/bin/sh
# deb.sh -- build the Debian package (`make deb`).
#
# Copies the tracked files (or, outside git, the folders the build needs)
# into build/deb/proofline-VERSION/, puts scripts/debian/ there as debian/,
# and runs dpkg-buildpackage -b.  The result: build/proofline_VERSION_ARCH.deb.
# The same tree gives the same bytes (SOURCE_DATE_EPOCH from the
# changelog; build paths mapped away).
#
# DEB_VERSION_SUFFIX=X builds VERSION+X instead (a changelog entry is added
# to the copy): the upgrade test installs one over the other.
set -eu
cd "$(dirname "$0")/.."

ver=$(dpkg-parsechangelog -l scripts/debian/changelog -S Version)
if [ -n "${DEB_VERSION_SUFFIX:-}" ]; then
    ver="$ver+$DEB_VERSION_SUFFIX"
fi
out=build/deb
stage=$out/proofline-$ver
rm -rf "$out"
mkdir -p "$stage"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -- Makefile README.md nginx.conf.example module lua sql \
        templates scripts | xargs -0 cp --parents -t "$stage"
else
    cp -R Makefile README.md nginx.conf.example module lua sql templates \
        scripts "$stage/"
fi
cp -R scripts/debian "$stage/debian"

if [ -n "${DEB_VERSION_SUFFIX:-}" ]; then
    {
        echo "proofline ($ver) bookworm; urgency=medium"
        echo
        echo "  * Local rebuild ($DEB_VERSION_SUFFIX)."
        echo
        sed -n 's/^ -- /&/p' scripts/debian/changelog | head -1
        echo
        cat scripts/debian/changelog
    } >"$stage/debian/changelog.new"
    mv "$stage/debian/changelog.new" "$stage/debian/changelog"
fi

jobs=$(nproc 2>/dev/null || echo 1)
(
    cd "$stage"
    DEB_BUILD_OPTIONS="parallel=$jobs${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
        dpkg-buildpackage -b -us -uc >../build.log 2>&1
) || {
    tail -40 "$out/build.log" >&2
    echo "deb: dpkg-buildpackage failed; the whole log: $out/build.log" >&2
    exit 1
}
deb=$(ls "$out"/proofline_"$ver"_*.deb)
cp "$deb" build/
echo "deb: build/$(basename "$deb")"
