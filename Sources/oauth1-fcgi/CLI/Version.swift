/// The release this source tree builds: `oauth1-fcgi --version` prints it, and packaging/build-deb.sh takes the Debian
/// package's version from that output, so the two cannot disagree.
let oauth1FcgiVersion = "0.1.0"
