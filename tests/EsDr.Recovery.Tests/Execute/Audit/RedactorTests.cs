using EsDr.Recovery.Execute.Audit;

namespace EsDr.Recovery.Tests.Execute.Audit;

public class RedactorTests
{
    [Theory]
    [InlineData("CREATE USER 'repl'@'%' IDENTIFIED BY 'Tr0ub4dor&3'", "Tr0ub4dor&3")]
    [InlineData("ALTER USER root IDENTIFIED WITH mysql_native_password BY 'it''s-secret'", "it''s-secret")]
    [InlineData("CHANGE MASTER TO MASTER_HOST='10.0.0.5', MASTER_PASSWORD='hunter2hunter2'", "hunter2hunter2")]
    [InlineData("Server=db;User=app;password=p4ss-w0rd;Database=shop", "p4ss-w0rd")]
    [InlineData("""PUT /_security/user/app {"password":"s3cr3t-json","roles":["app"]}""", "s3cr3t-json")]
    [InlineData("GET /_cluster/health\nAuthorization: Bearer eyJhbGciOi.abc.def\nAccept: */*", "eyJhbGciOi.abc.def")]
    [InlineData("Authorization: Basic ZWxhc3RpYzpjaGFuZ2VtZQ==", "ZWxhc3RpYzpjaGFuZ2VtZQ==")]
    [InlineData("https://elastic:changeme-now@10.0.0.1:9200/_cat/nodes", "changeme-now")]
    [InlineData("pulumi login --token pul-abcdef0123", "pul-abcdef0123")]
    public void Secret_looking_values_are_removed(string text, string secret)
    {
        var redacted = Redactor.None.Redact(text);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains(Redactor.Mask, redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Known_secrets_are_removed_wherever_they_appear()
    {
        var redactor = new Redactor(["linode-tok-9f8e7d", "tok"]);

        var redacted = redactor.Redact("curl -H 'X-Api: linode-tok-9f8e7d' then again linode-tok-9f8e7d");

        Assert.Equal("curl -H 'X-Api: [redacted]' then again [redacted]", redacted);
    }

    [Theory]
    [InlineData("Pa+ss&w<0>rd")]
    [InlineData("quo\"te\\back")]
    [InlineData("tab\there")]
    public void Known_secrets_are_removed_from_json_text_whichever_way_it_escapes_them(string secret)
    {
        var redactor = new Redactor([secret]);
        var document = new System.Text.Json.Nodes.JsonObject { ["detail"] = $"login with {secret} failed" };

        var plain = redactor.Redact(document.ToJsonString());
        var relaxed = redactor.Redact(document.ToJsonString(EsDr.Recovery.Operate.JsonOutput.Lines));

        Assert.Equal("""{"detail":"login with [redacted] failed"}""", plain);
        Assert.Equal("""{"detail":"login with [redacted] failed"}""", relaxed);
    }

    [Fact]
    public void Text_without_secrets_is_left_alone()
    {
        const string text = "[es fra] POST /orders/_ccr/pause_follow";

        Assert.Equal(text, new Redactor(["unrelated"]).Redact(text));
    }
}
