using System.Globalization;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;

namespace EsDr.Infra.Compilation;

/// <summary>One VM's user-data: an upper bound on its size once Pulumi resolves it, against its cloud's limit.</summary>
/// <param name="Vm">The VM's logical name (the Pulumi resource).</param>
/// <param name="Bound">Bytes, as the VM receives the user-data (<see cref="ResolvedLength"/>).</param>
public sealed record UserDataSize(string Vm, UserDataLimit Limit, long Bound)
{
    public bool Fits => Limit.Admits(Bound);

    /// <summary>The refusal of a config whose user-data cannot fit, naming the VM, the bound and the limit.</summary>
    /// <param name="compressed">Whether its files known at compile time were already written compressed.</param>
    public ConfigError TooLarge(bool compressed)
    {
        var counted = Limit.Counted == UserDataCount.Raw ? "" : $" ({Bytes(Limit.CountOf(Bound))} base64-encoded)";
        var tried = compressed ? ", even with its files known at compile time written compressed" : "";
        return new ConfigError(Vm,
            $"user-data can reach {Bytes(Bound)} bytes{counted} once Pulumi fills in what is known only at deploy time, over {Limit}{tried}");
    }

    private static string Bytes(long n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Holds every VM of a program to its cloud's user-data limit (<see cref="ICloudAdapter.UserDataLimit"/>): finds each
/// VM through the adapters (<see cref="ICloudAdapter.UserDataOf"/>) and bounds the size its user-data reaches once
/// Pulumi resolves the certificates, passwords and addresses in it (<see cref="ResolvedLength"/>).
/// </summary>
public static class UserDataBudget
{
    /// <summary>
    /// The size of every VM's user-data, in program order; user-data with a value the compiler cannot bound is a
    /// problem of the program (a compiler bug: every value it writes there must have a bound), not a size.
    /// </summary>
    public static (IReadOnlyList<UserDataSize> Sizes, IReadOnlyList<ProgramProblem> Problems) Measure(
        PulumiProgram program, IReadOnlyList<ICloudAdapter> adapters)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(adapters);
        var length = new ResolvedLength(program);
        var sizes = new List<UserDataSize>();
        var problems = new List<ProgramProblem>();
        foreach (var resource in program.Resources)
        {
            foreach (var adapter in adapters)
            {
                if (adapter.UserDataOf(resource) is not { } userData) continue;
                try
                {
                    sizes.Add(new UserDataSize(resource.Name, adapter.UserDataLimit, length.Of(userData)));
                }
                catch (UnboundedValueException e)
                {
                    problems.Add(new ProgramProblem($"resources.{resource.Name}", $"user-data names {e.Message}, so its size cannot be checked against {adapter.UserDataLimit}"));
                }
            }
        }
        return (sizes, problems);
    }
}
