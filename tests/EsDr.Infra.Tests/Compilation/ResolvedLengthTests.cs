using EsDr.Infra.Clouds.Ovh;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>How long a program value can become once Pulumi resolves it, derived from the program itself.</summary>
public class ResolvedLengthTests
{
    private static PulumiProgram Program()
    {
        var program = new PulumiProgram("es-dr");
        program.Add("pw", "random:index/randomPassword:RandomPassword", new PMap { { "length", 32 }, { "special", false } });
        program.Add("wide-pw", "random:index/randomPassword:RandomPassword", new PMap { { "length", 10 }, { "overrideSpecial", "-é€" } });
        program.Add("ca-key", "tls:index/privateKey:PrivateKey", new PMap { { "algorithm", "RSA" }, { "rsaBits", 4096 } });
        program.Add("ec-key", "tls:index/privateKey:PrivateKey", new PMap { { "algorithm", "ECDSA" } });
        program.Add("lb", "aws:lb/loadBalancer:LoadBalancer", new PMap());
        program.Add("vm", "linode:index/instance:Instance", new PMap());
        program.Add("reserved", "linode:index/networkingIp:NetworkingIp", new PMap { { "type", "ipv4" } });
        program.Add("lookup", "command:local:Command", new PMap { { "create", OvhAdapter.PublicIpv4Script } });
        program.Add("other-command", "command:local:Command", new PMap { { "create", "cat /etc/hosts" } });
        program.Variable("pw-b64", new PMap { { "fn::toBase64", "${pw.result}" } });
        program.Variable("address", "${vm.ipAddress}");
        program.SecretConfig(ProgramSecrets.AlertWebhookToken);
        return program;
    }

    private static long Of(object value) => new ResolvedLength(Program()).Of(value);

    [Theory]
    [InlineData("plain text", 10)]
    [InlineData("a $${literal} b", 14)]        // Pulumi reads $$ as $
    [InlineData("été", 5)]                       // UTF-8 bytes, not characters
    [InlineData("{{ $labels.region }}", 20)]     // a lone $ is literal
    public void Of_LiteralText_CountsWhatPulumiLeaves(string text, long expected) =>
        Assert.Equal(expected, Of(text));

    [Theory]
    [InlineData("${pw.result}", 32)]                        // its length
    [InlineData("${wide-pw.result}", 30)]                   // € is three bytes in UTF-8
    [InlineData("${pw.bcryptHash}", 60)]
    [InlineData("${pw-b64}", 44)]                           // base64 of 32 bytes
    [InlineData("${vm.ipAddress}:9200", 20)]                // IPv4, at most 255.255.255.255
    [InlineData("${address}/32", 18)]                       // through a variable
    [InlineData("${reserved.address}", 15)]
    [InlineData("${lb.dnsName}", 253)]                      // RFC 1035
    [InlineData("${lookup.stdout}", 15)]                    // the OVH script prints one dotted quad
    [InlineData("${alertWebhookToken}", ProgramSecrets.AlertWebhookTokenMaxBytes)]
    public void Of_Interpolation_IsBoundedByWhatItNames(string text, long expected) =>
        Assert.Equal(expected, Of(text));

    [Fact]
    public void Of_PrivateKeyPem_IsThePemBoundOfItsAlgorithmAndSize() =>
        Assert.Equal(TlsPemLength.RsaPrivateKey(4096), Of("${ca-key.privateKeyPem}"));

    [Fact]
    public void Of_ToBase64_IsTheBase64LengthOfItsArgument() =>
        Assert.Equal(8, Of(new PMap { { "fn::toBase64", "hello" } }));

    [Theory]
    [InlineData("${vm.id}", "${vm.id}: no known bound for linode:index/instance:Instance's id")]
    [InlineData("${other-command.stdout}", "${other-command.stdout}: no known bound for command:local:Command's stdout")]
    [InlineData("${nothing}", "${nothing}: names nothing the program declares")]
    [InlineData("${ec-key.privateKeyPem}", "ec-key: only tls RSA keys have a bound")]
    public void Of_ValueWithoutABound_IsRefusedNamingIt(string text, string message)
    {
        var refused = Assert.Throws<UnboundedValueException>(() => Of(text));

        Assert.Equal(message, refused.Message);
    }
}
