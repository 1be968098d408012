using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.MySql;

namespace EsDr.Recovery.Tests.Observe.MySql;

public sealed class MySqlObserverTests
{
    [Fact]
    public void A_replica_is_read_from_either_generation_of_status_names()
    {
        var variables = MySqlClient.Parse("read_only\tgtid_current_pos\tgtid_slave_pos\n1\t0-1-42\t0-1-42\n");
        var slave = MySqlClient.Parse("Slave_IO_Running\tSlave_SQL_Running\tSeconds_Behind_Master\nYes\tYes\t3\n");
        var replica = MySqlClient.Parse("Replica_IO_Running\tReplica_SQL_Running\tSeconds_Behind_Source\nConnecting\tYes\tNULL\n");

        Assert.Equal(new DatabaseObservation("r", true, true, true, true, true, 3, "0-1-42"), MySqlObserver.FromRows("r", variables, slave));
        Assert.Equal(new DatabaseObservation("r", true, true, true, false, true, null, "0-1-42"), MySqlObserver.FromRows("r", variables, replica));
    }

    [Fact]
    public void A_primary_has_no_status_row_and_is_not_a_replica()
    {
        var variables = MySqlClient.Parse("read_only\tgtid_current_pos\tgtid_slave_pos\n0\t0-2-7\t\n");
        Assert.Equal(new DatabaseObservation("p", true, false, false, false, false, null, "0-2-7"), MySqlObserver.FromRows("p", variables, MySqlRows.Empty));
    }

    [Fact]
    public void Batch_escapes_are_undone_and_null_is_null()
    {
        var rows = MySqlClient.Parse("a\tb\nx\\ty\\\\z\\nw\tNULL\n");
        Assert.Equal("x\ty\\z\nw", rows.Value(0, "a"));
        Assert.Null(rows.Value(0, "b"));
    }
}
