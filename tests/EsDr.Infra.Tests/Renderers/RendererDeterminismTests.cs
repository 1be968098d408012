using EsDr.Infra.Renderers;
using static EsDr.Infra.Tests.Renderers.RendererSamples;

namespace EsDr.Infra.Tests.Renderers;

public class RendererDeterminismTests
{
    // Each renderer gets two separately built, equal inputs: output may depend on values only.
    private static readonly Dictionary<string, Func<string>> Renderers = new()
    {
        ["elasticsearch.yml"] = () => ElasticsearchYml.Render(ReplacementNode()),
        ["roles.yml"] = ElasticsearchRoles.Render,
        ["jvm heap options"] = () => JvmHeap.RenderOptions(JvmHeap.HeapGb(16)),
        ["cloud-init"] = () => CloudInit.Render(ExtrasUserData()),
        ["cloud-init haproxy host"] = () => CloudInit.RenderHaproxyHost(
            new HaproxyUserData(Haproxy("backups and transport, custom ports", "/ca.crt"), "Q0E=", ["ssh-ed25519 AAAA ops"])),
        ["haproxy.cfg"] = () => HaproxyConfig.Render(Haproxy("backups and transport, custom ports", "/ca.crt")),
    };

    public static TheoryData<string> RendererNames => new(Renderers.Keys);

    [Theory]
    [MemberData(nameof(RendererNames))]
    public void EveryRenderer_SameInput_RendersIdenticalText(string renderer) =>
        Assert.Equal(Renderers[renderer](), Renderers[renderer]());
}
