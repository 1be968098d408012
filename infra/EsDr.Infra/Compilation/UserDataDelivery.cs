using EsDr.Infra.Renderers;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Hands each VM its user-data, readable as rendered, unless the VM is one whose rendering does not fit its cloud's
/// limit (<see cref="DeploymentTopology.CompressedUserData"/>): then its files known at compile time are written
/// compressed (<see cref="CloudConfigCompression"/>). The rendered files list the user-data as the VM gets it, and
/// each compressed file as plain text after it, so <c>es-dr show --files</c> still shows what lands on the host.
/// </summary>
public static class UserDataDelivery
{
    public const string RenderedPath = "user-data (cloud-init)";

    /// <summary>The user-data <paramref name="vm"/> (a logical name) boots with; adds it and any compressed file to <paramref name="files"/>.</summary>
    public static string Deliver(
        DeploymentTopology topology, string vm, string region, string host, string userData, ICollection<RenderedFile> files)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(files);
        if (!topology.CompressedUserData.Contains(vm))
        {
            files.Add(new RenderedFile(region, host, RenderedPath, userData));
            return userData;
        }
        var (compressed, written) = CloudConfigCompression.CompressFiles(userData);
        files.Add(new RenderedFile(region, host, RenderedPath, compressed));
        foreach (var file in written)
            files.Add(new RenderedFile(region, host, $"{file.Path} (in user-data as {CloudConfigCompression.Encoding})", file.Content));
        return compressed;
    }
}
