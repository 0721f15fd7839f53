#include "tests/support/test_certificates.h"

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "tests/support/process.h"

namespace agentmetrics::testing {
namespace {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void must(const CommandResult& r, const std::string& what) {
  if (r.code != 0) throw std::runtime_error(what + " failed: " + r.output);
}

}  // namespace

TestCertificates::TestCertificates(std::string dir) : dir_(std::move(dir)) {
  make_authority("ca");
  make_authority("other-ca");
  write_text(path("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  sign("ca", "server", {"-extfile", path("server.ext")});
  sign("ca", "client", {});
  sign("other-ca", "stranger", {});
  // An expired client certificate signed by the right authority: openssl ca can date it.
  write_text(path("ca.cnf"), "[ca]\ndefault_ca=d\n[d]\ndatabase=" + path("index.txt") + "\nnew_certs_dir=" + dir_ +
                                 "\nserial=" + path("serial") + "\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n");
  write_text(path("index.txt"), "");
  write_text(path("serial"), "1000\n");
  request("expired");
  must(run_command({"openssl", "ca", "-batch", "-config", path("ca.cnf"), "-cert", path("ca.crt"), "-keyfile", path("ca.key"), "-in",
                    path("expired.csr"), "-out", path("expired.crt"), "-startdate", "20200101000000Z", "-enddate", "20200102000000Z"}),
       "openssl ca");
}

void TestCertificates::make_authority(const std::string& name) {
  must(run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    path(name + ".key"), "-out", path(name + ".crt"), "-days", "2", "-subj", "/CN=" + name}),
       "openssl req -x509");
}

void TestCertificates::request(const std::string& name) {
  must(run_command({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path(name + ".key"),
                    "-out", path(name + ".csr"), "-subj", "/CN=" + name}),
       "openssl req");
}

void TestCertificates::sign(const std::string& authority, const std::string& name, const std::vector<std::string>& extra) {
  request(name);
  std::vector<std::string> argv = {"openssl",
                                   "x509",
                                   "-req",
                                   "-in",
                                   path(name + ".csr"),
                                   "-CA",
                                   path(authority + ".crt"),
                                   "-CAkey",
                                   path(authority + ".key"),
                                   "-CAcreateserial",
                                   "-out",
                                   path(name + ".crt"),
                                   "-days",
                                   "2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  must(run_command(argv), "openssl x509 -req");
}

std::string bcrypt_hash(const std::string& user, const std::string& password) {
  const CommandResult r = run_command({"htpasswd", "-nbBC", "10", user, password});
  must(r, "htpasswd");
  const std::string line = r.output.substr(0, r.output.find('\n'));
  return line.substr(line.find(':') + 1);
}

}  // namespace agentmetrics::testing
