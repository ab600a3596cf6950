# workerd's configuration for bench/workerd/worker.js (the benchmark target and
# integration.forward): HTTP on a free loopback port (workerd prints
# "Listening on http://127.0.0.1:PORT"), the token from the environment variable
# ECHW_WORKER_TOKEN (empty: no token check, as the deployed worker's default), and an outbound
# network that may reach loopback, where the benchmark's origin runs (workerd's default network
# allows public addresses only).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "worker", worker = .worker),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "worker")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2024-09-23",
  bindings = [(name = "TOKEN", fromEnvironment = "ECHW_WORKER_TOKEN")],
  globalOutbound = "loopback",
);
