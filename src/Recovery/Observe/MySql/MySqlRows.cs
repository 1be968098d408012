namespace EsDr.Recovery.Observe.MySql;

/// <summary>One statement's result set as text: column names and rows (SQL NULL as <see langword="null"/>).</summary>
internal sealed record MySqlRows(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows)
{
    public static readonly MySqlRows Empty = new([], []);

    public int Count => Rows.Count;

    /// <summary>The first column of the first row, or <see langword="null"/> when there is none.</summary>
    public string? Scalar => Rows.Count > 0 && Rows[0].Count > 0 ? Rows[0][0] : null;

    /// <summary>The value of the first of <paramref name="column"/> present in row <paramref name="row"/>, or <see langword="null"/> when none is.</summary>
    public string? Value(int row, params string[] column)
    {
        foreach (var name in column)
        {
            for (var i = 0; i < Columns.Count; i++)
            {
                if (string.Equals(Columns[i], name, StringComparison.OrdinalIgnoreCase))
                {
                    return Rows[row][i];
                }
            }
        }
        return null;
    }
}
