namespace EsDr.Infra.Tests.Support;

/// <summary>
/// Snapshot files under tests/EsDr.Infra.Tests/Snapshots: a change to an emitted program shows up as a
/// reviewable diff. On a mismatch the new text is written beside the snapshot as <c>*.received.yaml</c>;
/// run the tests with <c>UPDATE_SNAPSHOTS=1</c> to accept every change.
/// </summary>
internal static class Snapshot
{
    private static readonly string Directory = Path.Combine(Repository.Root, "tests", "EsDr.Infra.Tests", "Snapshots");

    public static void Match(string name, string actual)
    {
        var path = Path.Combine(Directory, name);
        var received = Path.ChangeExtension(path, ".received" + Path.GetExtension(path));
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, actual);
            File.Delete(received);
            return;
        }
        var expected = File.Exists(path) ? File.ReadAllText(path) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"no snapshot {name} yet; review {received} and run with UPDATE_SNAPSHOTS=1 to accept it"
            : $"{name} changed; diff it against {received} and run with UPDATE_SNAPSHOTS=1 to accept the change");
    }
}
