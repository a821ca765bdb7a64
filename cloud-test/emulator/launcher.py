"""An AWS API emulator for the cloud cycle: moto's server with the gaps that stop
a real Terraform apply filled, and every API call recorded.

Test infrastructure, not product. Stock moto 5.2.1 answers most of what the
stacks and the scaler call; each patch below fills one gap seen in a trial
apply, says what AWS does instead, and names the document that says so. A
patch changes what moto answers, never what it accepts: moto still rejects
malformed requests as before.

Usage: python3 launcher.py --port PORT --calls FILE
  Writes one JSON line per API call to FILE: the signing service, the
  operation, the parsed parameters, the access key that signed it, the status
  and any error code, and, where IAM conditions need them, the tags of the
  resources it names as they stood before the call. Prints "ready <port>"
  once it listens.
"""

import argparse
import json
import os
import re
import sys
import threading

os.environ.setdefault("MOTO_ACM_VALIDATION_WAIT", "0")

from moto.core import responses as core_responses  # noqa: E402

from gaps import install_gaps  # noqa: E402

_ACCOUNT = "123456789012"  # moto's default account: every ARN the stacks see carries it
_lock = threading.Lock()
_calls_file = None
_seq = 0

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/")


def _signer(headers):
    """The access key, region and signing service of a SigV4 request."""
    match = _CREDENTIAL.search(headers.get("Authorization", "") or "")
    if not match:
        return None, None, None
    return match.group(1), match.group(2), match.group(3)


def _params(resp):
    """The request parsed against botocore's model of the operation (the shape IAM evaluation reads)."""
    saved = getattr(resp, "params", None)
    try:
        resp.parse_parameters(resp.request if hasattr(resp, "request") else None)
        parsed = resp.params
    except Exception:
        parsed = {"_unparsed": True}
    finally:
        if saved is not None:
            resp.params = saved
    return parsed


def _error_code(body):
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return None
    for pattern in (r"<Code>([^<]+)</Code>", r'"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"', r'"code"\s*:\s*"([^"]+)"', r'"Code"\s*:\s*"([^"]+)"'):
        match = re.search(pattern, body)
        if match:
            return match.group(1)
    return None


def _record(entry):
    global _seq
    with _lock:
        _seq += 1
        entry["seq"] = _seq
        _calls_file.write(json.dumps(entry, default=str) + "\n")
        _calls_file.flush()


def _install_recorder():
    original_setup = core_responses.BaseResponse.setup_class
    original_call = core_responses.BaseResponse.call_action

    def setup_class(self, request, full_url, headers, use_raw_body=False):
        self.request = request
        return original_setup(self, request, full_url, headers, use_raw_body)

    def call_action(self):
        key, region, service = _signer(self.headers)
        try:
            operation = self._get_action()
        except Exception:
            operation = None
        params = _params(self)
        context = _resource_context(service, params, region or "us-east-1")
        try:
            status, headers, body = original_call(self)
        except NotImplementedError as err:
            _record({"service": service, "operation": operation, "params": params, "accessKey": key, "region": region, "status": 501, "error": "NotImplemented", "message": str(err)})
            raise
        code = _error_code(body) if int(status) >= 400 else None
        _record({"service": service, "operation": operation, "params": params, "accessKey": key, "region": region, "status": int(status), **context, **({"error": code} if code else {})})
        return status, headers, body

    core_responses.BaseResponse.setup_class = setup_class
    core_responses.BaseResponse.call_action = call_action


# EC2 id prefixes and the resource type IAM names them by (arn:aws:ec2:region:account:<type>/<id>).
_EC2_TYPES = {"vpc": "vpc", "subnet": "subnet", "rtb": "route-table", "igw": "internet-gateway", "sg": "security-group", "eni": "network-interface", "acl": "network-acl", "eipalloc": "elastic-ip"}
_EC2_ID = re.compile(r"^([a-z]+)-[0-9a-f]{8,17}$")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _resource_context(service, params, region):
    """What IAM would know about the resources a call names, as they stand
    before the call: the tags of EC2 networking and ACM certificates (for
    aws:ResourceTag conditions) and the route table and subnet behind a
    route table association id (IAM authorizes against those)."""
    tags, associations = {}, {}
    try:
        if service == "ec2":
            from moto.ec2.models import ec2_backends

            backend = ec2_backends[_ACCOUNT][region]
            named = set(_strings(params))
            for text in [t for t in named if t.startswith("rtbassoc-")]:
                for table in backend.route_tables.values():
                    if text in table._associations:
                        associations[text] = {"routeTable": table.id, "target": table._associations[text]}
                        named.update([table.id, table._associations[text]])
            for text in named:
                match = _EC2_ID.match(text)
                kind = match and _EC2_TYPES.get(match.group(1))
                if kind:
                    tags[f"arn:aws:ec2:{region}:{_ACCOUNT}:{kind}/{text}"] = dict(backend.tags.get(text, {}))
        elif service == "acm":
            from moto.acm.models import acm_backends

            certificates = acm_backends[_ACCOUNT][region]._certificates
            for text in set(_strings(params)):
                if text in certificates:
                    tags[text] = {k: v for k, v in certificates[text].tags.items()}
    except Exception as err:  # the recording must never break a call
        return {"contextError": str(err)}
    out = {}
    if tags:
        out["resourceTags"] = tags
    if associations:
        out["associations"] = associations
    return out


def main():
    global _calls_file
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--calls", required=True)
    args = parser.parse_args()
    os.environ["MOTO_PORT"] = str(args.port)
    _calls_file = open(args.calls, "a", encoding="utf-8")
    _install_recorder()
    install_gaps()

    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print(f"ready {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
