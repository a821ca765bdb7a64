"""Where moto 5.2.1 answers differently from AWS in a way that stops a
Terraform apply or leaves a permanent diff, and what AWS answers instead.

One function per gap; each says what AWS does and which document says so.
install_gaps() applies them all before the server starts.
"""

import json
import random
import string


def apigatewayv2_domain_name_status():
    """API Gateway v2 CreateDomainName/GetDomainName answer each domain name
    configuration with `domainNameStatus` (AVAILABLE once the certificate is
    bound), `apiGatewayDomainName` (the d-xxxx target for the alias record)
    and `hostedZoneId` (the regional endpoint's zone). moto returns the
    request's configuration back, so the provider waits for AVAILABLE forever.
    Source: API Gateway V2 API Reference, DomainNames, DomainNameConfiguration
    (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/domainnames.html);
    regional hosted zone ids: AWS General Reference, Amazon API Gateway
    endpoints and quotas (https://docs.aws.amazon.com/general/latest/gr/apigateway.html).
    """
    from moto.apigatewayv2.models import DomainName

    zones = {"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-2": "Z2OJLYMUO9EFXC", "eu-west-1": "ZLY8HYME6SFDD", "eu-central-1": "Z1U9ULNL0V5AJ3"}
    original = DomainName.to_json

    def to_json(self):
        out = original(self)
        region = self.domain_name_arn.split(":")[3]
        if not hasattr(self, "_target"):
            self._target = "d-" + "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(10))
        configs = []
        for config in self.domain_name_configurations or [{}]:
            filled = dict(config)
            filled.setdefault("endpointType", "REGIONAL")
            filled.setdefault("securityPolicy", "TLS_1_2")
            filled.setdefault("ipAddressType", "ipv4")
            filled["domainNameStatus"] = "AVAILABLE"
            filled["apiGatewayDomainName"] = f"{self._target}.execute-api.{region}.amazonaws.com"
            filled["hostedZoneId"] = zones.get(region, "Z1UJRXOUMOOFQ8")
            configs.append(filled)
        out["domainNameConfigurations"] = configs
        # AWS leaves mutualTlsAuthentication out unless a truststore is set.
        if not out.get("mutualTlsAuthentication"):
            out.pop("mutualTlsAuthentication", None)
        return out

    DomainName.to_json = to_json


def application_autoscaling_tags():
    """Application Auto Scaling tags scalable targets by ARN: TagResource,
    UntagResource and ListTagsForResource. moto does not implement them (a 500
    the provider retries), so tags are kept here per ARN.
    Source: Application Auto Scaling API Reference, ListTagsForResource,
    TagResource, UntagResource
    (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ListTagsForResource.html).
    """
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    tags_by_arn = {}

    def _arn(self):
        return json.loads(self.body or "{}").get("ResourceARN")

    def list_tags_for_resource(self):
        return json.dumps({"Tags": dict(tags_by_arn.get(_arn(self), {}))})

    def tag_resource(self):
        body = json.loads(self.body or "{}")
        tags_by_arn.setdefault(body.get("ResourceARN"), {}).update(body.get("Tags") or {})
        return json.dumps({})

    def untag_resource(self):
        body = json.loads(self.body or "{}")
        held = tags_by_arn.setdefault(body.get("ResourceARN"), {})
        for key in body.get("TagKeys") or []:
            held.pop(key, None)
        return json.dumps({})

    original_register = ApplicationAutoScalingResponse.register_scalable_target

    def register_scalable_target(self):
        # RegisterScalableTarget takes Tags too and applies them to the new target.
        out = original_register(self)
        tags = json.loads(self.body or "{}").get("Tags")
        if tags:
            tags_by_arn.setdefault(json.loads(out)["ScalableTargetARN"], {}).update(tags)
        return out

    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
    ApplicationAutoScalingResponse.tag_resource = tag_resource
    ApplicationAutoScalingResponse.untag_resource = untag_resource
    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target


def lambda_logging_and_image_config():
    """Lambda keeps a function's LoggingConfig and always returns it (LogFormat
    Text and LogGroup /aws/lambda/<name> unless set); it returns
    ImageConfigResponse only when the function has an ImageConfig override.
    moto drops LoggingConfig and returns an empty ImageConfigResponse for every
    image function, so each plan shows a diff.
    Source: Lambda API Reference, FunctionConfiguration (LoggingConfig,
    ImageConfigResponse)
    (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html).
    """
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_config = LambdaFunction.get_configuration
    original_update = LambdaFunction.update_configuration

    def __init__(self, account_id, spec, region, version=1):
        original_init(self, account_id, spec, region, version)
        self._logging_config = dict(spec.get("LoggingConfig") or {})
        self._has_image_config = bool(spec.get("ImageConfig"))

    def get_configuration(self, *args, **kwargs):
        config = original_config(self, *args, **kwargs)
        logging = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.function_name}"}
        logging.update(getattr(self, "_logging_config", {}))
        config["LoggingConfig"] = logging
        if not getattr(self, "_has_image_config", False):
            config.pop("ImageConfigResponse", None)
        return config

    def update_configuration(self, config_updates):
        if "LoggingConfig" in config_updates:
            self._logging_config = dict(config_updates.get("LoggingConfig") or {})
        if "ImageConfig" in config_updates:
            self._has_image_config = bool(config_updates.get("ImageConfig"))
        return original_update(self, config_updates)

    LambdaFunction.__init__ = __init__
    LambdaFunction.get_configuration = get_configuration
    LambdaFunction.update_configuration = update_configuration


def ecs_create_service_fields():
    """ECS CreateService keeps every field of the request that DescribeServices
    returns, as UpdateService does; moto's CreateService drops the ones it does
    not model (deploymentConfiguration with the circuit breaker,
    healthCheckGracePeriodSeconds, enableECSManagedTags, enableExecuteCommand,
    availabilityZoneRebalancing), so the next plan wants to change them.
    Source: Amazon ECS API Reference, CreateService and Service
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).
    """
    from moto.core.utils import camelcase_to_underscores
    from moto.ecs.responses import EC2ContainerServiceResponse

    handled = {"cluster", "serviceName", "taskDefinition", "desiredCount", "loadBalancers", "schedulingStrategy", "serviceRegistries", "tags", "deploymentController", "launchType", "platformVersion", "propagateTags", "networkConfiguration", "role", "clientToken"}
    original = EC2ContainerServiceResponse.create_service

    def create_service(self):
        result = original(self)
        service = result.result["service"]
        for key, value in self._get_params().items():
            if key not in handled and value is not None:
                setattr(service, camelcase_to_underscores(key), value)
        return result

    EC2ContainerServiceResponse.create_service = create_service


def cloudwatch_describe_alarms_state_value():
    """DescribeAlarms applies every filter it is given together: AlarmNames
    with StateValue returns only the named alarms in that state. moto applies
    only the first filter it finds, so the scaler's "is my alarm in ALARM"
    question is answered with alarms in any state.
    Source: CloudWatch API Reference, DescribeAlarms
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).
    """
    from moto.cloudwatch.responses import CloudWatchResponse

    original = CloudWatchResponse.describe_alarms

    def describe_alarms(self):
        result = original(self)
        state = self._get_param("StateValue")
        if state:
            for key in ("MetricAlarms", "CompositeAlarms"):
                result.result[key] = [a for a in result.result[key] if a.state_value == state]
        return result

    CloudWatchResponse.describe_alarms = describe_alarms


def route53_zone_ids():
    """Route 53 hosted zone ids are Z followed by upper-case letters and digits
    (Z0123456789ABCDEFGHIJ); moto makes random 22-character ids that do not
    start with Z, which the configuration schema rightly refuses.
    Source: Route 53 API Reference, HostedZone (Id), and the ids shown in
    CreateHostedZone's examples
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html).
    """
    from moto.route53 import models

    alphabet = string.ascii_uppercase + string.digits

    def create_route53_zone_id(*_args, **_kwargs):
        return "Z" + "".join(random.choice(alphabet) for _ in range(20))

    models.create_route53_zone_id = create_route53_zone_id


def elbv2_internet_facing_needs_gateway():
    """An internet-facing load balancer can be created only in subnets whose
    VPC has an internet gateway attached; otherwise CreateLoadBalancer fails
    with InvalidSubnet ("VPC vpc-... has no internet gateway"). moto creates
    it anyway, so a missing ordering between the ALB and the gateway would
    pass here and fail in AWS.
    Source: Elastic Load Balancing API Reference, CreateLoadBalancer, errors
    (InvalidSubnet)
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html);
    Application Load Balancers, "Subnets for your load balancer" (an
    internet-facing load balancer needs public subnets, with a route to an
    internet gateway)
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer).
    """
    from moto.elbv2.exceptions import ELBClientError
    from moto.elbv2.models import ELBv2Backend

    original = ELBv2Backend.create_load_balancer

    def create_load_balancer(self, name, security_groups, subnet_ids, subnet_mappings=None, scheme="internet-facing", *args, **kwargs):
        if scheme != "internal":
            ids = list(subnet_ids or []) + [m["SubnetId"] for m in subnet_mappings or []]
            attached = {gw.vpc.id for gw in self.ec2_backend.internet_gateways.values() if gw.vpc is not None and gw.attachment_state == "available"}
            for subnet_id in ids:
                subnet = self.ec2_backend.get_subnet(subnet_id)
                if subnet is not None and subnet.vpc_id not in attached:
                    raise ELBClientError("InvalidSubnet", f"VPC {subnet.vpc_id} has no internet gateway")
        return original(self, name, security_groups, subnet_ids, subnet_mappings, scheme, *args, **kwargs)

    ELBv2Backend.create_load_balancer = create_load_balancer


def route53_weighted_records():
    """Route 53 identifies a record set by name, type and set identifier: a
    CREATE fails only if that exact record set exists, and a DELETE removes
    only it. moto checks a re-sent CREATE against every record of a later
    name and type, and deletes every record with the set identifier whatever
    its name; so the "fargate" weighted alias cannot be created again beside
    the "lambda" one of the same name and type once it was deleted.
    Source: Route 53 API Reference, ChangeResourceRecordSets (CREATE: "fails
    if a resource record set already exists with the same name, type and set
    identifier"; DELETE) and ResourceRecordSet (SetIdentifier)
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html).
    """
    import copy

    from moto.route53.exceptions import InvalidActionValue, ResourceRecordAlreadyExists, Route53ClientError
    from moto.route53.models import Route53Backend
    from moto.route53.utils import validate_domain_name

    def key(name, rtype, set_id):
        return (name.rstrip(".").lower(), rtype, set_id)

    def change_resource_record_sets(self, zoneid, change_list):
        zone = self.get_hosted_zone(zoneid)
        for value in change_list:
            validate_domain_name(value["ResourceRecordSet"]["Name"], code="InvalidChangeBatch")
            if value["Action"] not in ("CREATE", "UPSERT", "DELETE"):
                raise InvalidActionValue(value["Action"])
        held = {key(r.name, r.type, r.set_identifier) for r in zone.rrsets}
        for value in change_list:
            wanted = value["ResourceRecordSet"]
            exists = key(wanted["Name"], wanted["Type"], wanted.get("SetIdentifier")) in held
            if value["Action"] == "CREATE" and exists:
                raise ResourceRecordAlreadyExists(name=wanted["Name"].rstrip(".") + ".", _type=wanted["Type"])
            if value["Action"] == "DELETE" and not exists:
                raise Route53ClientError("InvalidChangeBatch", f"Tried to delete resource record set [name='{wanted['Name'].rstrip('.')}.', type='{wanted['Type']}', set-identifier='{wanted.get('SetIdentifier')}'] but it was not found")
        for value in change_list:
            original_change = copy.deepcopy(value)
            record_set = value["ResourceRecordSet"]
            if not record_set["Name"].endswith("."):
                record_set["Name"] += "."
            wanted = key(record_set["Name"], record_set["Type"], record_set.get("SetIdentifier"))
            if value["Action"] == "DELETE":
                zone.rrsets = [r for r in zone.rrsets if key(r.name, r.type, r.set_identifier) != wanted]
            else:
                if "ResourceRecords" in record_set:
                    record_set["ResourceRecords"] = [x["Value"] for x in record_set["ResourceRecords"]]
                zone.rrsets = [r for r in zone.rrsets if key(r.name, r.type, r.set_identifier) != wanted]
                zone.add_rrset(record_set)
            zone.rr_changes.append(original_change)

    Route53Backend.change_resource_record_sets = change_resource_record_sets


ATTACH_SECONDS = 4


def ec2_gateway_attachment_takes_time():
    """An internet gateway's attachment to a VPC is reported "attaching"
    before "available"; the provider waits for "available". moto attaches at
    once, so whatever is created beside the gateway always finds it ready,
    and a missing dependency on it never shows. Here it stays "attaching"
    for a few seconds, as in AWS, where the ALB that does not wait for it
    meets InvalidSubnet.
    Source: Amazon EC2 API Reference, InternetGatewayAttachment (State:
    attaching | attached | detaching | detached; "available" for an internet
    gateway)
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InternetGatewayAttachment.html).
    """
    import time

    from moto.ec2.models.internet_gateways import InternetGateway, InternetGatewayBackend

    original_attach = InternetGatewayBackend.attach_internet_gateway

    def attach_internet_gateway(self, internet_gateway_id, vpc_id):
        out = original_attach(self, internet_gateway_id, vpc_id)
        self.get_internet_gateway(internet_gateway_id)._attached_at = time.monotonic()
        return out

    def _state(self):
        if not self.vpc:
            return "detached"
        return "attaching" if time.monotonic() - getattr(self, "_attached_at", 0) < ATTACH_SECONDS else "available"

    InternetGatewayBackend.attach_internet_gateway = attach_internet_gateway
    InternetGateway.attachment_state = property(_state)
    InternetGateway.attachments = property(lambda self: [{"State": _state(self), "VpcId": self.vpc.id}] if self.vpc else [])


def iam_service_linked_role_names():
    """A service-linked role's name is the one its service documents, not one
    derived from the principal: API Gateway's (ops.apigateway.amazonaws.com) is
    AWSServiceRoleForAPIGateway, which moto names AWSServiceRoleForapigateway_Ops,
    so the provider reads a custom suffix "Ops" back and plans a replacement.
    Source: API Gateway Developer Guide, "Using service-linked roles for API Gateway"
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/using-service-linked-roles.html).
    """
    from moto.iam.models import IAMBackend

    documented = {"ops.apigateway.amazonaws.com": "AWSServiceRoleForAPIGateway"}
    original = IAMBackend.create_service_linked_role

    def create_service_linked_role(self, service_name, description, suffix):
        name = documented.get(service_name)
        if name is None:
            return original(self, service_name, description, suffix)
        trust = {"Version": "2012-10-17", "Statement": [{"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [service_name]}}]}
        return self.create_role(
            name + (f"_{suffix}" if suffix else ""),
            json.dumps(trust),
            f"/aws-service-role/{service_name}/",
            permissions_boundary=None,
            description=description,
            tags=[],
            max_session_duration="3600",
            linked_service=service_name,
        )

    IAMBackend.create_service_linked_role = create_service_linked_role


def install_gaps():
    apigatewayv2_domain_name_status()
    application_autoscaling_tags()
    lambda_logging_and_image_config()
    ecs_create_service_fields()
    cloudwatch_describe_alarms_state_value()
    route53_zone_ids()
    route53_weighted_records()
    elbv2_internet_facing_needs_gateway()
    ec2_gateway_attachment_takes_time()
    iam_service_linked_role_names()
