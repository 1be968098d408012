using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Tests.Sql;

/// <summary>MySQL GTID sets as gtid_executed prints them, and containment as GTID_SUBSET answers it.</summary>
public sealed class GtidSetTests
{
    private const string A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private const string B = "4a5b6c7d-0000-11e1-9e33-c80aa9429562";

    [Theory]
    [InlineData(A + ":1-57", A + ":23")]
    [InlineData(A + ":1-57", A + ":21-57")]
    [InlineData(A + ":1-10:11-20", A + ":5-15")]
    [InlineData(A + ":1-5,\n" + B + ":1-3", B + ":2")]
    [InlineData(A + ":1-5:batch:1-3", A + ":batch:2-3")]
    [InlineData(A + ":1-5", "")]
    public void A_set_contains_every_transaction_of_a_subset(string set, string subset) =>
        Assert.True(GtidSet.Parse(set).Contains(GtidSet.Parse(subset)));

    [Theory]
    [InlineData(A + ":21-57", A + ":20-25")]
    [InlineData(A + ":1-10:12-20", A + ":5-15")]
    [InlineData(A + ":1-5", B + ":1")]
    [InlineData(A + ":1-5", A + ":batch:1")]
    [InlineData("", A + ":1")]
    public void A_set_does_not_contain_a_transaction_it_lacks(string set, string other) =>
        Assert.False(GtidSet.Parse(set).Contains(GtidSet.Parse(other)));

    [Fact]
    public void The_canonical_text_merges_intervals_lowercases_and_drops_line_breaks() =>
        Assert.Equal($"{A}:1-20,{A}:tag_1:3,{B}:7",
            GtidSet.Parse($"{B}:7,\n{A.ToUpperInvariant()}:11-20:1-10:TAG_1:3").ToString());

    [Theory]
    [InlineData("3e11fa47:1-5")]
    [InlineData(A)]
    [InlineData(A + ":0")]
    [InlineData(A + ":5-1")]
    [InlineData(A + ":1-x")]
    [InlineData(A + ":1-5:tag")]
    [InlineData(A + ":1-5:1tag:1")]
    [InlineData(A + ":1', 0) OR ('1")]
    public void Anything_else_is_not_a_set(string text) => Assert.False(GtidSet.TryParse(text, out _));
}
