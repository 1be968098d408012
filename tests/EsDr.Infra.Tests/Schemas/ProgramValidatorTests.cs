using EsDr.Infra.Schemas;

namespace EsDr.Infra.Tests.Schemas;

public class ProgramValidatorTests
{
    private static readonly ProviderSchemas Schemas = ProviderSchemas.LoadEmbedded();

    private const string ValidLinodeProgram = """
        name: esdr
        runtime: yaml
        description: one Elasticsearch node behind a firewall
        config:
          rootPassword:
            type: string
            secret: true
          swap:
            type: integer
        variables:
          userData:
            fn::toBase64: "#cloud-config\nhostname: ${pulumi.stack}-es-1\n"
        resources:
          linode-fra:
            type: pulumi:providers:linode
            properties:
              skipInstanceReadyPoll: true
            options:
              version: 6.0.0
          fra-es-1:
            type: linode:index/instance:Instance
            properties:
              label: fra-es-1
              region: eu-central
              type: g6-standard-2
              image: linode/debian12
              rootPass: ${rootPassword}
              privateIp: true
              swapSize: ${swap}
              tags: [es, fra]
              alerts:
                cpu: 90
              metadatas:
                - userData: ${userData}
              stackscriptData:
                home: "$${HOME}"
            options:
              provider: ${linode-fra}
              version: 6.0.0
              protect: false
              ignoreChanges: [metadatas]
              customTimeouts:
                create: 10m
          fra-es:
            type: linode:index/firewall:Firewall
            properties:
              label: fra-es
              inboundPolicy: DROP
              outboundPolicy: ACCEPT
              inbounds:
                - label: es-transport
                  action: ACCEPT
                  protocol: TCP
                  ports: "9300"
                  ipv4s: ["${fra-es-1.privateIpAddress}/32"]
            options:
              provider: ${linode-fra}
              dependsOn: ["${fra-es-1}"]
        outputs:
          address: ${fra-es-1.ipAddress}
          label: ${fra-es-1.label}
          id: ${fra-es-1.id}
          stack: ${pulumi.stack}
        """;

    private static IReadOnlyList<ProgramProblem> Validate(string program) => ProgramValidator.Validate(program, Schemas);

    /// <summary>A program with one valid Linode instance plus <paramref name="propertyLines"/> (YAML, relative to its properties).</summary>
    private static string InstanceWith(params string[] propertyLines) =>
        string.Join('\n', new[]
        {
            "name: t",
            "runtime: yaml",
            "resources:",
            "  fra-es-1:",
            "    type: linode:index/instance:Instance",
            "    properties:",
            "      region: eu-central",
        }.Concat(propertyLines.Select(line => "      " + line)));

    /// <summary>A program whose only resource is a Linode instance with <paramref name="optionLines"/> under its options.</summary>
    private static string InstanceWithOptions(params string[] optionLines) =>
        string.Join('\n', new[]
        {
            "name: t",
            "runtime: yaml",
            "resources:",
            "  linode-fra:",
            "    type: pulumi:providers:linode",
            "  aws-east:",
            "    type: pulumi:providers:aws",
            "  fra-es-1:",
            "    type: linode:index/instance:Instance",
            "    properties:",
            "      region: eu-central",
            "    options:",
        }.Concat(optionLines.Select(line => "      " + line)));

    private static ProgramProblem SingleProblem(string program)
    {
        var problems = Validate(program);
        return Assert.Single(problems);
    }

    [Fact]
    public void Validate_ValidLinodeInstanceProgram_HasNoProblems()
    {
        var problems = Validate(ValidLinodeProgram);

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("dependsOn: [aws-east]", "resources.fra-es-1.options.dependsOn[0]", "must be a resource reference like ${name}, got string \"aws-east\"")]
    [InlineData("dependsOn: [\"${aws-east.region}\"]", "resources.fra-es-1.options.dependsOn[0]", "must be a resource reference like ${name}, got string \"${aws-east.region}\"")]
    public void Validate_DependsOnThatIsNotAResourceReference_IsReported(string option, string where, string message)
    {
        var problem = SingleProblem(InstanceWithOptions(option));

        Assert.Equal(where, problem.Where);
        Assert.Equal(message, problem.Message);
    }

    [Fact]
    public void Validate_DependsOnAResourceReference_HasNoProblems() =>
        Assert.Empty(Validate(InstanceWithOptions("dependsOn: [\"${aws-east}\"]")));

    [Fact]
    public void Validate_ValidProgramWrittenAsJson_HasNoProblems()
    {
        const string json = """
            {"name": "t", "runtime": "yaml",
             "resources": {"pw": {"type": "random:index/randomPassword:RandomPassword",
                                  "properties": {"length": 24, "special": false, "overrideSpecial": "_-"}}},
             "outputs": {"password": {"fn::secret": "${pw.result}"}}}
            """;

        Assert.Empty(Validate(json));
    }

    [Fact]
    public void Validate_UnknownProperty_IsReportedWithItsPath()
    {
        var problem = SingleProblem(InstanceWith("lable: x"));

        Assert.Equal("resources.fra-es-1.properties.lable", problem.Where);
        Assert.Equal("unknown property 'lable' (did you mean 'label'?)", problem.Message);
    }

    [Fact]
    public void Validate_UnknownPropertyOfNestedTypeInAList_IsReportedWithItsPath()
    {
        var problem = SingleProblem(InstanceWith("metadatas:", "  - userdata: abc"));

        Assert.Equal("resources.fra-es-1.properties.metadatas[0].userdata", problem.Where);
        Assert.Equal("unknown property 'userdata' (did you mean 'userData'?)", problem.Message);
    }

    [Fact]
    public void Validate_UnknownPropertyOfNestedObjectType_IsReported()
    {
        var problem = SingleProblem(InstanceWith("alerts:", "  cpu: 90", "  diskio: 10"));

        Assert.Equal("resources.fra-es-1.properties.alerts.diskio", problem.Where);
        Assert.StartsWith("unknown property 'diskio'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongLiteralTypeInNestedType_IsReported()
    {
        var problem = SingleProblem(InstanceWith("alerts:", "  cpu: \"90\""));

        Assert.Equal("resources.fra-es-1.properties.alerts.cpu", problem.Where);
        Assert.Equal("expected an integer, got string \"90\"", problem.Message);
    }

    [Fact]
    public void Validate_MissingRequiredInput_IsReported()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              fra-es-1:
                type: linode:index/instance:Instance
                properties:
                  label: fra-es-1
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.fra-es-1.properties", problem.Where);
        Assert.Equal("missing required input 'region'", problem.Message);
    }

    [Fact]
    public void Validate_MissingRequiredInputOfNestedType_IsReported()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              fw:
                type: linode:index/firewall:Firewall
                properties:
                  label: fw
                  inboundPolicy: DROP
                  outboundPolicy: ACCEPT
                  inbounds:
                    - label: ssh
                      action: ACCEPT
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.fw.properties.inbounds[0]", problem.Where);
        Assert.Equal("missing required input 'protocol'", problem.Message);
    }

    [Fact]
    public void Validate_ResourceWithNoPropertiesAtAll_ReportsItsRequiredInputs()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              fra-es-1:
                type: linode:index/instance:Instance
            """;

        var problem = SingleProblem(program);

        Assert.Equal("missing required input 'region'", problem.Message);
    }

    [Fact]
    public void Validate_ProviderResource_IsNotHeldToRequiredInputsButIsCheckedAgainstProviderInputs()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              linode-fra:
                type: pulumi:providers:linode
                properties:
                  tokn: abc
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.linode-fra.properties.tokn", problem.Where);
        Assert.Equal("unknown property 'tokn' (did you mean 'token'?)", problem.Message);
    }

    [Theory]
    [InlineData("swapSize: \"512\"", "swapSize", "expected an integer, got string \"512\"")]
    [InlineData("swapSize: 512.5", "swapSize", "expected an integer, got number 512.5")]
    [InlineData("swapSize: true", "swapSize", "expected an integer, got boolean true")]
    [InlineData("privateIp: \"true\"", "privateIp", "expected a boolean, got string \"true\"")]
    [InlineData("privateIp: yes", "privateIp", "expected a boolean, got string \"yes\"")]
    [InlineData("privateIp: 1", "privateIp", "expected a boolean, got integer 1")]
    [InlineData("tags: es", "tags", "expected a list, got string \"es\"")]
    [InlineData("tags: {a: b}", "tags", "expected a list, got a map")]
    [InlineData("label: [a]", "label", "expected a string, got a list")]
    [InlineData("alerts: 90", "alerts", "expected an object, got integer 90")]
    [InlineData("stackscriptData: [a]", "stackscriptData", "expected a map, got a list")]
    [InlineData("stackscriptData: {a: [b]}", "stackscriptData.a", "expected a string, got a list")]
    [InlineData("tags: [es, [fra]]", "tags[1]", "expected a string, got a list")]
    public void Validate_WrongLiteralType_IsReported(string property, string path, string message)
    {
        var problem = SingleProblem(InstanceWith(property));

        Assert.Equal($"resources.fra-es-1.properties.{path}", problem.Where);
        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData("swapSize: 512")]
    [InlineData("swapSize: 512.0")]
    [InlineData("label: 42")]
    [InlineData("label: true")]
    [InlineData("label: \"512\"")]
    [InlineData("privateIp: false")]
    [InlineData("tags: []")]
    [InlineData("alerts: {}")]
    [InlineData("label: null")]
    public void Validate_LiteralOfTheRightOrConvertibleType_IsAccepted(string property)
    {
        Assert.Empty(Validate(InstanceWith(property)));
    }

    [Fact]
    public void Validate_EnumViolation_IsReported()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              cmd:
                type: command:local:Command
                properties:
                  create: echo hi
                  logging: everything
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.cmd.properties.logging", problem.Where);
        Assert.Equal("'everything' is not one of 'stdout', 'stderr', 'stdoutAndStderr', 'none'", problem.Message);
    }

    [Theory]
    [InlineData("stdoutAndStderr")]
    [InlineData("${mode}")]
    public void Validate_EnumValueOrExpression_IsAccepted(string logging)
    {
        var program = $"""
            name: t
            runtime: yaml
            variables:
              mode: none
            resources:
              cmd:
                type: command:local:Command
                properties:
                  create: echo hi
                  logging: {logging}
            """;

        Assert.Empty(Validate(program));
    }

    [Fact]
    public void Validate_UnionOfStringAndEnum_AcceptsAnyString()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              es-1:
                type: digitalocean:index/droplet:Droplet
                properties:
                  image: debian-12-x64
                  size: s-8vcpu-16gb-intel-not-in-the-enum
                  region: nyc3
            """;

        Assert.Empty(Validate(program));
    }

    [Fact]
    public void Validate_UnionOfStringAndEnum_StillRejectsAList()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              es-1:
                type: digitalocean:index/droplet:Droplet
                properties:
                  image: debian-12-x64
                  size: [s-1vcpu-1gb]
                  region: nyc3
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.es-1.properties.size", problem.Where);
        Assert.Equal("expected a string, got a list", problem.Message);
    }

    [Fact]
    public void Validate_UnknownResourceType_IsReportedWithTheClosestToken()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              fw:
                type: linode:index/firewal:Firewall
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.fw.type", problem.Where);
        Assert.Equal("type 'linode:index/firewal:Firewall' is not in the linode 6.0.0 schema (did you mean 'linode:index/firewall:Firewall'?)", problem.Message);
    }

    [Fact]
    public void Validate_ShorthandTypeToken_IsReportedWithTheFullToken()
    {
        var program = InstanceWith().Replace("linode:index/instance:Instance", "linode:index:Instance", StringComparison.Ordinal);

        var problem = SingleProblem(program);

        Assert.Contains("write the full token 'linode:index/instance:Instance'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TypeOfAPackageWithoutSchema_IsReported()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              vm:
                type: hcloud:index/server:Server
                properties:
                  name: x
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.vm.type", problem.Where);
        Assert.StartsWith("no schema for package 'hcloud'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ResourceWithoutType_IsReported()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              vm:
                properties:
                  label: x
            """;

        var problem = SingleProblem(program);

        Assert.Equal(new ProgramProblem("resources.vm", "resource without a type"), problem);
    }

    [Fact]
    public void Validate_UnknownResourceKey_IsReported()
    {
        var problem = SingleProblem(InstanceWith() + "\n    propertes: {}");

        Assert.Equal("resources.fra-es-1.propertes", problem.Where);
        Assert.Equal("unknown resource key 'propertes' (did you mean 'properties'?)", problem.Message);
    }

    [Fact]
    public void Validate_UnknownTopLevelKey_IsReported()
    {
        var problem = SingleProblem(InstanceWith() + "\noutptus:\n  a: b");

        Assert.Equal("outptus", problem.Where);
        Assert.Equal("unknown top-level key 'outptus' (did you mean 'outputs'?)", problem.Message);
    }

    [Fact]
    public void Validate_InterpolationOfUndeclaredResource_IsReported()
    {
        var problem = SingleProblem(InstanceWith("label: ${fra-es-2.label}-copy"));

        Assert.Equal("resources.fra-es-1.properties.label", problem.Where);
        Assert.StartsWith("${fra-es-2.label} names nothing declared (did you mean 'fra-es-1'?)", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("outputs", "${missing}")]
    [InlineData("variables", "\"prefix-${missing}\"")]
    [InlineData("variables", "{fn::join: ['-', ['${missing}']]}")]
    public void Validate_UndeclaredNameInVariablesOutputsAndFunctionArguments_IsReported(string section, string value)
    {
        var problem = SingleProblem(InstanceWith() + $"\n{section}:\n  x: {value}");

        Assert.StartsWith($"{section}.x", problem.Where, StringComparison.Ordinal);
        Assert.Contains("${missing} names nothing declared", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OutputThatTheTypeDoesNotHave_IsReported()
    {
        var problem = SingleProblem(InstanceWith() + "\noutputs:\n  ip: ${fra-es-1.ipAdress}");

        Assert.Equal("outputs.ip", problem.Where);
        Assert.Equal("${fra-es-1.ipAdress}: linode:index/instance:Instance has no output 'ipAdress' (did you mean 'ipAddress'?)", problem.Message);
    }

    [Theory]
    [InlineData("${fra-es-1.ipAddress}")]
    [InlineData("${fra-es-1.label}")]
    [InlineData("${fra-es-1.id}")]
    [InlineData("${fra-es-1.urn}")]
    [InlineData("${fra-es-1}")]
    [InlineData("${fra-es-1.ipv4s[0]}")]
    [InlineData("${fra-es-1[\"ipAddress\"]}")]
    [InlineData("${pulumi.stack}")]
    [InlineData("${pulumi.organization}")]
    public void Validate_InterpolationOfAnOutputOrBuiltin_IsAccepted(string reference)
    {
        Assert.Empty(Validate(InstanceWith() + $"\noutputs:\n  x: {reference}"));
    }

    [Fact]
    public void Validate_UnknownFieldOfPulumiVariable_IsReported()
    {
        var problem = SingleProblem(InstanceWith() + "\noutputs:\n  x: ${pulumi.stak}");

        Assert.Equal("${pulumi.stak}: pulumi has no field 'stak' (did you mean 'stack'?)", problem.Message);
    }

    [Theory]
    [InlineData("$${missing}")]
    [InlineData("echo $${HOME} $${PATH:-/bin}")]
    [InlineData("$$$${missing}")]
    [InlineData("cost: $5 {not} $ {either}")]
    public void Validate_EscapedDollarBrace_IsNotAnInterpolation(string text)
    {
        Assert.Empty(Validate(InstanceWith($"label: \"{text}\"")));
    }

    [Fact]
    public void Validate_DollarBeforeAnEscape_StillInterpolates()
    {
        // "$$${x}" is a literal '$' followed by the interpolation ${x}.
        var problem = SingleProblem(InstanceWith("label: \"$$${missing}\""));

        Assert.Contains("${missing} names nothing declared", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"${fra-es-1.label\"", "unterminated interpolation")]
    [InlineData("\"x ${}\"", "empty interpolation")]
    [InlineData("\"${fra-es-1.ipv4s[x]}\"", "invalid list index")]
    public void Validate_MalformedInterpolation_IsReported(string value, string message)
    {
        var problem = SingleProblem(InstanceWith() + $"\noutputs:\n  x: {value}");

        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExpressionInATypedProperty_IsNotTypeCheckedButIsWalked()
    {
        const string program = """
            name: t
            runtime: yaml
            variables:
              swap: {fn::select: [0, [512]]}
            resources:
              fra-es-1:
                type: linode:index/instance:Instance
                properties:
                  region: eu-central
                  swapSize: ${swap}
                  alerts: {fn::secret: {cpu: "${nothing}"}}
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.fra-es-1.properties.alerts.fn::secret.cpu", problem.Where);
        Assert.Contains("${nothing} names nothing declared", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_StringOutputReferencedWhereAnIntegerIsExpected_IsReported()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              fw:
                type: linode:index/firewall:Firewall
                properties:
                  label: fw
                  inboundPolicy: DROP
                  outboundPolicy: ACCEPT
              fra-es-1:
                type: linode:index/instance:Instance
                properties:
                  region: eu-central
                  firewallId: ${fw.id}
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.fra-es-1.properties.firewallId", problem.Where);
        Assert.Equal("${fw.id} is a string, but this property takes an integer; Pulumi YAML does not convert it", problem.Message);
    }

    [Theory]
    [InlineData("swapSize: ${swap}")]
    [InlineData("swapSize: ${fra-es-0.swapSize}")]
    [InlineData("privateIp: ${fra-es-0.privateIp}")]
    [InlineData("label: ${fra-es-0.swapSize}")]
    [InlineData("label: ${fra-es-0}")]
    public void Validate_ReferenceOfAMatchingOrConvertibleType_IsAccepted(string property)
    {
        var program = $"""
            name: t
            runtime: yaml
            config:
              swap:
                type: integer
            resources:
              fra-es-0:
                type: linode:index/instance:Instance
                properties:
                  region: eu-central
              fra-es-1:
                type: linode:index/instance:Instance
                properties:
                  region: eu-central
                  {property}
            """;

        Assert.Empty(Validate(program));
    }

    [Fact]
    public void Validate_StringBuiltByInterpolationWhereAnIntegerIsExpected_IsReported()
    {
        var problem = SingleProblem(InstanceWith("swapSize: \"${fra-es-1.swapSize}0\""));

        Assert.Equal("resources.fra-es-1.properties.swapSize", problem.Where);
        Assert.StartsWith("expected an integer, got a string built by interpolation", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fn::abs", "unknown function 'fn::abs'")]
    [InlineData("fn::toJson", "function 'fn::toJson' must be written 'fn::toJSON'")]
    [InlineData("fn::tojsn", "unknown function 'fn::tojsn' (did you mean 'fn::toJSON'?)")]
    public void Validate_UnknownFunction_IsReported(string function, string message)
    {
        var problem = SingleProblem(InstanceWith() + $"\noutputs:\n  x:\n    {function}: 3");

        Assert.Equal($"outputs.x.{function}", problem.Where);
        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData("fn::toJSON: {a: 1}")]
    [InlineData("fn::secret: ${fra-es-1.rootPass}")]
    [InlineData("fn::join: ['-', [a, b]]")]
    [InlineData("fn::invoke: {function: linode:index/getProfile:getProfile, return: username}")]
    [InlineData("fn::linode:index/getProfile:getProfile: {}")]
    [InlineData("fn::stringAsset: hello")]
    public void Validate_KnownFunction_IsAccepted(string expression)
    {
        Assert.Empty(Validate(InstanceWith() + $"\noutputs:\n  x:\n    {expression}"));
    }

    [Fact]
    public void Validate_AssetPropertyGivenAPlainString_IsReported()
    {
        const string program = """
            name: t
            runtime: yaml
            resources:
              copy:
                type: command:remote:CopyToRemote
                properties:
                  connection: {host: 10.0.0.1}
                  remotePath: /etc/haproxy/haproxy.cfg
                  source: /tmp/haproxy.cfg
              copy2:
                type: command:remote:CopyToRemote
                properties:
                  connection: {host: 10.0.0.1}
                  remotePath: /etc/haproxy/haproxy.cfg
                  source:
                    fn::fileAsset: /tmp/haproxy.cfg
            """;

        var problem = SingleProblem(program);

        Assert.Equal("resources.copy.properties.source", problem.Where);
        Assert.StartsWith("expected an asset", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_VersionOtherThanPinned_IsReported()
    {
        var problem = SingleProblem(InstanceWithOptions("version: 6.0.1"));

        Assert.Equal("resources.fra-es-1.options.version", problem.Where);
        Assert.Equal("version '6.0.1' is not the pinned linode version 6.0.0", problem.Message);
    }

    [Fact]
    public void Validate_PinnedVersion_IsAccepted()
    {
        Assert.Empty(Validate(InstanceWithOptions("version: 6.0.0")));
    }

    private const string OvhNetwork = """
        name: t
        runtime: yaml
        resources:
          gra-net:
            type: ovh:CloudProject/networkPrivate:NetworkPrivate
            properties: { serviceName: p, name: gra, regions: [GRA11] }
            options:
        """;

    [Fact]
    public void Validate_ResourceOfAPackageNotHostedByPulumi_WithoutItsPluginDownloadUrl_IsReported()
    {
        var problem = SingleProblem(OvhNetwork + "\n      version: 2.12.0");

        Assert.Equal("resources.gra-net.options.pluginDownloadURL", problem.Where);
        Assert.StartsWith("ovh is not hosted by Pulumi: every ovh resource needs pluginDownloadURL 'github://api.github.com/ovh/pulumi-ovh'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ResourceOfAPackageNotHostedByPulumi_WithItsPluginDownloadUrl_IsAccepted()
    {
        Assert.Empty(Validate(OvhNetwork + "\n      version: 2.12.0\n      pluginDownloadURL: github://api.github.com/ovh/pulumi-ovh"));
    }

    [Fact]
    public void Validate_ProviderOfAnotherPackage_IsReported()
    {
        var problem = SingleProblem(InstanceWithOptions("provider: ${aws-east}"));

        Assert.Equal("resources.fra-es-1.options.provider", problem.Where);
        Assert.Equal("'aws-east' is a pulumi:providers:aws, not a pulumi:providers:linode", problem.Message);
    }

    [Theory]
    [InlineData("provider: linode-fra", "must be a reference to a provider resource")]
    [InlineData("provider: ${linode-fra.urn}", "must be a reference to a provider resource")]
    [InlineData("provider: ${fra-es-1}", "'fra-es-1' is a linode:index/instance:Instance, not a pulumi:providers:linode")]
    public void Validate_ProviderThatIsNotAProviderResource_IsReported(string option, string message)
    {
        var problem = SingleProblem(InstanceWithOptions(option));

        Assert.Equal("resources.fra-es-1.options.provider", problem.Where);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ProviderOfTheSamePackage_IsAccepted()
    {
        Assert.Empty(Validate(InstanceWithOptions("provider: ${linode-fra}")));
    }

    [Theory]
    [InlineData("protecc: true", "unknown resource option 'protecc' (did you mean 'protect'?)")]
    [InlineData("protect: \"yes\"", "expected a boolean, got string \"yes\"")]
    [InlineData("ignoreChanges: tags", "expected a list of strings, got string \"tags\"")]
    [InlineData("customTimeouts: {craete: 5m}", "unknown timeout 'craete' (create, update or delete)")]
    [InlineData("dependsOn: [\"${fra-es-0}\"]", "${fra-es-0} names nothing declared")]
    [InlineData("parent: ${nothing}", "${nothing} names nothing declared")]
    public void Validate_BadResourceOption_IsReported(string option, string message)
    {
        var problem = SingleProblem(InstanceWithOptions(option));

        Assert.StartsWith("resources.fra-es-1.options.", problem.Where, StringComparison.Ordinal);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NameDeclaredTwice_IsReported()
    {
        var problem = SingleProblem(InstanceWith() + "\nvariables:\n  fra-es-1: x");

        Assert.Equal("resources.fra-es-1", problem.Where);
        Assert.StartsWith("'fra-es-1' is declared more than once", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resources: [\n", "not valid YAML")]
    [InlineData("a: 1\na: 2\n", "not valid YAML")]
    [InlineData("", "the program is empty")]
    [InlineData("- a\n", "the program must be a map, got a list")]
    public void Validate_TextThatIsNotAProgram_IsReportedNotThrown(string text, string message)
    {
        var problem = SingleProblem(text);

        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }
}
