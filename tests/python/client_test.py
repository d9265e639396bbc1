#!/usr/bin/python3
"""The public API from Python's grpcio (Debian's python3-grpcio), with stubs
generated from proto/ alone: what an independent client sees.

Starts its own tppd on free loopback ports with fresh certificates, then
checks: health SERVING over mTLS with a provider certificate; reflection
lists the six tpp.v1 services; a call without a client certificate fails; a
provider calling IsolationService/GetIsolation on the admin listener gets
PERMISSION_DENIED with a google.rpc ErrorInfo (domain tpp.v1); and the
pharmacy flow: an insurer loads a contract and a member, the pharmacy checks
the cover, claims DOMAIN.md's worked example (AMC 29.90, patient 9.00), and
reusing the invoice number with other content is ALREADY_EXISTS.

Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import argparse
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("--tppd", required=True)
parser.add_argument("--source_dir", required=True)
args = parser.parse_args()

work = tempfile.mkdtemp(prefix="tpp-py-")
gen = os.path.join(work, "gen")
os.makedirs(gen)
proto_dir = os.path.join(args.source_dir, "proto")
std_dir = "/usr/share/grpc-proto"
protos = [os.path.relpath(p, proto_dir)
          for p in glob.glob(os.path.join(proto_dir, "**/*.proto"), recursive=True)]
subprocess.run(["protoc", "-I", proto_dir, "-I", "/usr/include",
                "--python_out", gen, "--grpc_python_out", gen,
                "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"]
               + protos, check=True)
# gRPC's own protos live under the `grpc` Python package name, which the
# grpcio package already owns: compile copies of them under another module
# path (their proto package, hence the wire names, stay the same).
std_copy = os.path.join(work, "std")
os.makedirs(os.path.join(std_copy, "stdproto"))
for name in ("grpc/health/v1/health.proto",
             "grpc/reflection/v1alpha/reflection.proto"):
    shutil.copy(os.path.join(std_dir, name),
                os.path.join(std_copy, "stdproto", os.path.basename(name)))
subprocess.run(["protoc", "-I", std_copy, "--python_out", gen, "--grpc_python_out", gen,
                "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                "stdproto/health.proto", "stdproto/reflection.proto"], check=True)
sys.path.insert(0, gen)

import grpc  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from stdproto import health_pb2, health_pb2_grpc  # noqa: E402
from stdproto import reflection_pb2, reflection_pb2_grpc  # noqa: E402
from tpp.v1 import isolation_pb2, isolation_pb2_grpc  # noqa: E402
from tpp.v1 import claims_pb2, claims_pb2_grpc  # noqa: E402
from tpp.v1 import common_pb2  # noqa: E402
from tpp.v1 import eligibility_pb2, eligibility_pb2_grpc  # noqa: E402
from tpp.v1 import members_pb2, members_pb2_grpc  # noqa: E402

certs = os.path.join(work, "certs")
subprocess.run([os.path.join(args.source_dir, "tools", "dev-certs.sh"), certs,
                "provider/750100001", "insurer/100000001", "operator/alice"],
               check=True, stderr=subprocess.DEVNULL)
subprocess.run([os.path.join(args.source_dir, "tools", "dev-master-key.sh"),
                os.path.join(work, "master.key")], check=True, stderr=subprocess.DEVNULL)
ready = os.path.join(work, "ready.json")
log = open(os.path.join(work, "tppd.log"), "w")
tppd = subprocess.Popen([args.tppd, "--data_dir=" + os.path.join(work, "data"),
                         "--listen=127.0.0.1:0", "--admin_listen=127.0.0.1:0",
                         "--metrics_listen=", "--tls_dir=" + certs,
                         "--master_key_file=" + os.path.join(work, "master.key"),
                         "--ready_file=" + ready], stderr=log)
deadline = time.time() + 30
while not os.path.exists(ready):
    if time.time() > deadline or tppd.poll() is not None:
        print(open(os.path.join(work, "tppd.log")).read())
        sys.exit("tppd did not start")
    time.sleep(0.05)
ports = json.load(open(ready))


def read(name):
    with open(os.path.join(certs, name), "rb") as f:
        return f.read()


def channel(port, identity=None):
    creds = grpc.ssl_channel_credentials(
        root_certificates=read("ca.pem"),
        private_key=read(identity.replace("/", "-") + ".key") if identity else None,
        certificate_chain=read(identity.replace("/", "-") + ".pem") if identity else None)
    return grpc.secure_channel("127.0.0.1:%d" % port, creds,
                               options=(("grpc.ssl_target_name_override", "localhost"),))


passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, detail)


try:
    external = channel(ports["port"], "provider/750100001")
    reply = health_pb2_grpc.HealthStub(external).Check(
        health_pb2.HealthCheckRequest(), timeout=10)
    check("health SERVING with a provider certificate",
          reply.status == health_pb2.HealthCheckResponse.SERVING)

    stub = reflection_pb2_grpc.ServerReflectionStub(external)
    responses = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="*")]), timeout=10)
    names = {s.name for r in responses for s in r.list_services_response.service}
    wanted = {"tpp.v1." + s for s in ("EligibilityService", "ClaimService",
                                      "MemberService", "SettlementService",
                                      "IsolationService", "AuditService")}
    check("reflection lists the six tpp.v1 services", wanted <= names, names)

    try:
        health_pb2_grpc.HealthStub(channel(ports["port"])).Check(
            health_pb2.HealthCheckRequest(), timeout=10)
        check("no client certificate fails", False, "the call succeeded")
    except grpc.RpcError as e:
        check("no client certificate fails",
              e.code() == grpc.StatusCode.UNAVAILABLE, e.code())

    admin = channel(ports["admin_port"], "provider/750100001")
    try:
        isolation_pb2_grpc.IsolationServiceStub(admin).GetIsolation(
            isolation_pb2.GetIsolationRequest(), timeout=10)
        check("provider on the admin listener is denied", False, "succeeded")
    except grpc.RpcError as e:
        check("provider on the admin listener is PERMISSION_DENIED",
              e.code() == grpc.StatusCode.PERMISSION_DENIED, e.code())
        details = dict(e.trailing_metadata()).get("grpc-status-details-bin")
        status = status_pb2.Status.FromString(details)
        info = error_details_pb2.ErrorInfo()
        check("the refusal carries an ErrorInfo in domain tpp.v1",
              status.details[0].Unpack(info) and info.domain == "tpp.v1"
              and info.reason == "PERMISSION_DENIED", status)

    # The pharmacy flow, from stubs generated from proto/ alone.
    today = time.strftime("%Y-%m-%d", time.gmtime())
    insurer = channel(ports["port"], "insurer/100000001")
    members = members_pb2_grpc.MemberServiceStub(insurer)
    members.UpsertContract(members_pb2.Contract(
        contract_id="GOLD", guarantees=[members_pb2.Guarantee(
            category=common_pb2.PHARMACY, rate_bp=20000,
            annual_ceiling_cents=100000)]), timeout=10)
    summary = members.ImportMembers(iter([members_pb2.MemberRecord(
        adherent_number="A0001", nir="295109912611193", birth_date="1995-10-12",
        birth_rank=1, last_name="Martin", first_name="Claire",
        relationship=members_pb2.INSURED, contract_id="GOLD",
        coverage_from="2000-01-01", coverage_to="2199-12-31")]), timeout=30)
    check("an insurer imports a member", summary.accepted == 1, summary)
    who = common_pb2.Beneficiary(nir="295109912611193", birth_date="1995-10-12",
                                 birth_rank=1)
    answer = eligibility_pb2_grpc.EligibilityServiceStub(external).CheckEligibility(
        eligibility_pb2.CheckEligibilityRequest(
            beneficiary=who, insurer_id="100000001", care_date=today,
            category=common_pb2.PHARMACY), timeout=10)
    check("the pharmacy sees the cover, and no name",
          answer.eligible and answer.rate_bp == 20000
          and answer.ceiling_remaining_cents == 100000
          and b"Martin" not in answer.SerializeToString(), answer)
    claims = claims_pb2_grpc.ClaimServiceStub(external)
    request = claims_pb2.SubmitClaimRequest(
        invoice_number="F-1", beneficiary=who, insurer_id="100000001",
        care_date=today, lines=[claims_pb2.ClaimLine(
            act_code="PH7", category=common_pb2.PHARMACY, quantity=1,
            fee_cents=5500, base_cents=2300, amo_cents=1610)])
    claim = claims.SubmitClaim(request, timeout=10)
    check("the worked example pays AMC 2990, patient 900",
          claim.status == claims_pb2.APPROVED and claim.amc_total_cents == 2990
          and claim.patient_total_cents == 900
          and claim.lines[0].amc_cents == 2990, claim)
    request.lines[0].fee_cents = 5600
    try:
        claims.SubmitClaim(request, timeout=10)
        check("the invoice number with other content is refused", False)
    except grpc.RpcError as e:
        details = dict(e.trailing_metadata()).get("grpc-status-details-bin")
        info = error_details_pb2.ErrorInfo()
        status_pb2.Status.FromString(details).details[0].Unpack(info)
        check("the invoice number with other content is ALREADY_EXISTS",
              e.code() == grpc.StatusCode.ALREADY_EXISTS
              and info.reason == "IDEMPOTENCY_KEY_REUSED", e)
finally:
    tppd.send_signal(signal.SIGTERM)
    code = tppd.wait(timeout=30)
    check("tppd exits 0 on SIGTERM", code == 0, code)
    shutil.rmtree(work, ignore_errors=True)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
