using System.Net.Security;
using System.Text;
using Elastic.Clients.Elasticsearch;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Tests.Replication;

[Collection("live processes")]
public sealed class ElasticsearchConnectionTests : IDisposable
{
    private const string Password = ReplicationEndToEndTests.Password;
    private static readonly string Token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"elastic:{Password}"));
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("esdr-replication-");

    public void Dispose() => work.Delete(recursive: true);

    private static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_ToString_NeverShowsThePassword()
    {
        Assert.Equal("elastic:<redacted>", ReplicationEndToEndTests.Credentials.ToString());
    }

    [Fact]
    public void Credentials_FromEnvironment_ReadsTheNamedVariables()
    {
        var env = new Dictionary<string, string?> { ["ES_LEADER_USER"] = "elastic", ["ES_LEADER_PASSWORD"] = Password };

        var credentials = ElasticsearchCredentials.FromEnvironment("ES_LEADER_USER", "ES_LEADER_PASSWORD", env.GetValueOrDefault);

        Assert.Equal("elastic", credentials!.User);
        Assert.Null(ElasticsearchCredentials.FromEnvironment("ES_X_USER", "ES_X_PASSWORD", env.GetValueOrDefault));
    }

    [Fact]
    public void Credentials_FromEnvironment_OnlyThePasswordSet_NamesTheMissingVariableNotTheValue()
    {
        var env = new Dictionary<string, string?> { ["ES_LEADER_PASSWORD"] = Password };

        var e = Assert.Throws<InvalidOperationException>(() => ElasticsearchCredentials.FromEnvironment("ES_LEADER_USER", "ES_LEADER_PASSWORD", env.GetValueOrDefault));

        Assert.Equal("ES_LEADER_PASSWORD is set but ES_LEADER_USER is not", e.Message);
    }

    [Fact]
    public void Url_WithCredentialsInIt_IsRefusedWithoutEchoingThem()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ElasticsearchConnection.Create(new ElasticsearchEndpoint(new Uri($"https://elastic:{Password}@es.example:9200")), null));

        Assert.Contains("must not carry credentials", e.Message, StringComparison.Ordinal);
        AssertNoSecret(e.Message);
    }

    [Fact]
    public async Task WrongPassword_ErrorNamesTheUrlAndStatusButNotThePassword()
    {
        var network = new StandInNetwork();
        using var cluster = new CcrStandIn(network, "fra", ["10.1.0.11:9300"], password: "the-real-one");
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(cluster.Url), ReplicationEndToEndTests.Credentials);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => new ReplicationObserver(http).ObserveAsync(CancellationToken.None));

        Assert.Equal($"GET {cluster.Url}_license answered 401 security_exception: missing authentication credentials for REST request [/_license]", e.Message);
        AssertNoSecret(e.ToString());
    }

    [Fact]
    public async Task NothingListening_ErrorNamesTheRequestButNotThePassword()
    {
        var network = new StandInNetwork();
        Uri url;
        using (var gone = new CcrStandIn(network, "gone", ["10.9.0.11:9300"])) url = gone.Url;
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(url), ReplicationEndToEndTests.Credentials);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => http.GetJsonAsync("/_remote/info", CancellationToken.None));

        Assert.StartsWith($"GET {url}_remote/info failed: ", e.Message, StringComparison.Ordinal);
        AssertNoSecret(e.ToString());
    }

    [Fact]
    public async Task FailedStepAndDryRun_NeverContainThePassword()
    {
        var network = new StandInNetwork();
        using var fra = new CcrStandIn(network, "fra", ["10.1.0.11:9300", "10.1.0.12:9300", "10.1.0.13:9300"], password: Password);
        using var ams = new CcrStandIn(network, "ams", ["ams-es.example.net:9300"], password: Password);
        fra.CreateIndex("orders");
        ams.Override = (method, _) => method == "PUT" ? (500, "boom") : null;
        using var leader = ElasticsearchConnection.Create(new ElasticsearchEndpoint(fra.Url), ReplicationEndToEndTests.Credentials);
        using var follower = ElasticsearchConnection.Create(new ElasticsearchEndpoint(ams.Url), ReplicationEndToEndTests.Credentials);
        using var log = new StringWriter();
        var setup = new ReplicationSetup(leader, follower, TimeProvider.System, log);

        await setup.RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(DryRun: true), CancellationToken.None);
        var e = await Assert.ThrowsAsync<ReplicationStepFailedException>(() =>
            setup.RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None));

        Assert.Contains("replication step 1 of 4 failed — follower: add remote cluster 'fra'", e.Message, StringComparison.Ordinal);
        // "boom" is no Elasticsearch error JSON: the typed client cannot read it, but the cluster answered.
        Assert.Contains("answered with a body that is not Elasticsearch's JSON", e.Message, StringComparison.Ordinal);
        Assert.False(Assert.IsType<ElasticsearchRequestException>(e.InnerException).Unreachable);
        AssertNoSecret(e.ToString());
        AssertNoSecret(log.ToString());
        Assert.Contains("# dry run", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ServerCertificateIssuedByTheCa_IsTrusted()
    {
        using var ca = new TestCa("stack-ca");
        using var server = new TlsLoopbackServer(ca.Issue());
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(server.Url, ca.WritePem(work.FullName)), ReplicationEndToEndTests.Credentials);

        var health = await http.CallAsync((c, ct) => c.Cluster.HealthAsync(ct), CancellationToken.None);

        Assert.Equal(HealthStatus.Yellow, health.Status); // the specification's example
    }

    [Fact]
    public async Task Tls_CaGivenAsPemText_IsTrustedTheSameWay()
    {
        using var ca = new TestCa("stack-ca");
        using var server = new TlsLoopbackServer(ca.Issue());
        var endpoint = new ElasticsearchEndpoint(server.Url) { CaCertificatePem = ca.Certificate.ExportCertificatePem() };
        using var http = ElasticsearchConnection.Create(endpoint, null);

        var health = await http.CallAsync((c, ct) => c.Cluster.HealthAsync(ct), CancellationToken.None);

        Assert.Equal(HealthStatus.Yellow, health.Status); // the specification's example
    }

    [Fact]
    public async Task Tls_ServerCertificateFromAnotherCa_IsRefused()
    {
        using var ca = new TestCa("stack-ca");
        using var other = new TestCa("someone-else");
        using var server = new TlsLoopbackServer(other.Issue());
        using var http = ElasticsearchConnection.Create(new ElasticsearchEndpoint(server.Url, ca.WritePem(work.FullName)), ReplicationEndToEndTests.Credentials);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => http.GetJsonAsync("/_cluster/health", CancellationToken.None));

        Assert.StartsWith($"GET {server.Url}_cluster/health failed: ", e.Message, StringComparison.Ordinal);
        AssertNoSecret(e.ToString());
    }

    [Fact]
    public async Task Tls_CertificateNotNamingTheHost_IsRefusedUnlessHostnameVerificationIsOff()
    {
        using var ca = new TestCa("stack-ca");
        using var server = new TlsLoopbackServer(ca.Issue(dnsName: "shop-fra-es-1.internal"));
        var caFile = ca.WritePem(work.FullName);
        using var strict = ElasticsearchConnection.Create(new ElasticsearchEndpoint(server.Url, caFile), null);
        using var chainOnly = ElasticsearchConnection.Create(new ElasticsearchEndpoint(server.Url, caFile, VerifyHostname: false), null);

        await Assert.ThrowsAsync<ElasticsearchRequestException>(() => strict.CallAsync((c, ct) => c.Cluster.HealthAsync(ct), CancellationToken.None));
        var health = await chainOnly.CallAsync((c, ct) => c.Cluster.HealthAsync(ct), CancellationToken.None);

        Assert.Equal(HealthStatus.Yellow, health.Status);
    }

    [Fact]
    public void CaTrust_SelfSignedCertificate_IsNotTrustedEvenIfPresentedAsItsOwnChain()
    {
        using var ca = new TestCa("stack-ca");
        using var impostor = new TestCa("stack-ca");

        Assert.False(CaTrust.IsTrusted(impostor.Certificate, null, SslPolicyErrors.RemoteCertificateChainErrors, ca.Certificate, verifyHostname: true));
        Assert.False(CaTrust.IsTrusted(null, null, SslPolicyErrors.RemoteCertificateNotAvailable, ca.Certificate, verifyHostname: true));
    }

    [Fact]
    public void Create_CaFileWithPlainHttp_IsRefused()
    {
        using var ca = new TestCa("stack-ca");

        var e = Assert.Throws<ArgumentException>(() =>
            ElasticsearchConnection.Create(new ElasticsearchEndpoint(new Uri("http://es.example:9200"), ca.WritePem(work.FullName)), null));

        Assert.Contains("is not https", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductCheck_TypedCallToAServerWithoutTheProductHeader_IsRefusedWithAClearError()
    {
        var network = new StandInNetwork();
        using var cluster = new CcrStandIn(network, "fra", ["10.1.0.11:9300"], password: Password) { SendsProductHeader = false };
        using var es = ElasticsearchConnection.Create(new ElasticsearchEndpoint(cluster.Url), ReplicationEndToEndTests.Credentials);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => new ReplicationObserver(es).ObserveAsync(CancellationToken.None));

        Assert.Equal($"{cluster.Url} answered without 'X-Elastic-Product: Elasticsearch': it is not Elasticsearch (or a proxy answered); the client refuses it", e.Message);
        AssertNoSecret(e.ToString());
    }

    [Fact]
    public async Task ProductCheck_ExactRequestToAServerWithoutTheProductHeader_IsRefusedToo()
    {
        var network = new StandInNetwork();
        using var cluster = new CcrStandIn(network, "fra", ["10.1.0.11:9300"], password: Password) { SendsProductHeader = false };
        using var es = ElasticsearchConnection.Create(new ElasticsearchEndpoint(cluster.Url), ReplicationEndToEndTests.Credentials);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => es.GetJsonAsync(ReplicationRequests.Indices, CancellationToken.None));

        Assert.Contains("answered 200 with no 'X-Elastic-Product: Elasticsearch' header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_AsksEveryRequestForTheNineCompatibleMediaType()
    {
        var network = new StandInNetwork();
        using var cluster = new CcrStandIn(network, "fra", ["10.1.0.11:9300"], password: Password);
        using var es = ElasticsearchConnection.Create(new ElasticsearchEndpoint(cluster.Url), ReplicationEndToEndTests.Credentials);

        await new ReplicationObserver(es).ObserveAsync(CancellationToken.None);

        Assert.NotEmpty(cluster.AcceptHeaders);
        Assert.All(cluster.AcceptHeaders, a => Assert.Equal("application/vnd.elasticsearch+json;compatible-with=9", a));
    }

    [Fact]
    public void Create_HttpsWithoutTheCa_IsRefused_TheSystemTrustStoreIsNeverUsed()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ElasticsearchConnection.Create(new ElasticsearchEndpoint(new Uri("https://es.example:9200")), null));

        Assert.Contains("no CA certificate is given: the stack's CA is the only trust anchor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_TypedCallToAServerCertifiedByAnotherCa_IsRefusedAsUnreachable()
    {
        using var ca = new TestCa("stack-ca");
        using var other = new TestCa("someone-else");
        using var server = new TlsLoopbackServer(other.Issue());
        using var es = ElasticsearchConnection.Create(new ElasticsearchEndpoint(server.Url, ca.WritePem(work.FullName), VerifyHostname: false), null);

        var e = await Assert.ThrowsAsync<ElasticsearchRequestException>(() => es.CallAsync((c, ct) => c.Cluster.HealthAsync(ct), CancellationToken.None));

        Assert.True(e.Unreachable);
        Assert.StartsWith($"GET {server.Url}_cluster/health failed: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppliedSteps_RecordTheRequestAsTheClientSentIt_MethodUrlAndBodyOfThePlan()
    {
        var network = new StandInNetwork();
        using var fra = new CcrStandIn(network, "fra", ["10.1.0.11:9300", "10.1.0.12:9300", "10.1.0.13:9300"], password: Password);
        using var ams = new CcrStandIn(network, "ams", ["ams-es.example.net:9300"], password: Password);
        fra.CreateIndex("orders");
        using var leader = ElasticsearchConnection.Create(new ElasticsearchEndpoint(fra.Url), ReplicationEndToEndTests.Credentials);
        using var follower = ElasticsearchConnection.Create(new ElasticsearchEndpoint(ams.Url), ReplicationEndToEndTests.Credentials);
        using var log = new StringWriter();

        var outcome = await new ReplicationSetup(leader, follower, TimeProvider.System, log)
            .RunAsync(ReplicationPlannerTests.Spec, new ReplicationRunOptions(), CancellationToken.None);

        Assert.NotEmpty(outcome.Applied);
        Assert.All(outcome.Applied, a =>
        {
            var target = a.Step.Target == ClusterRole.Leader ? fra.Url : ams.Url;
            Assert.Equal(new SentRequest(a.Step.Method, ElasticsearchConnection.Combine(target, a.Step.Path), a.Step.Body), a.Sent);
            Assert.Contains($"; sent {a.Sent}", log.ToString(), StringComparison.Ordinal);
        });
        AssertNoSecret(log.ToString());
    }
}
