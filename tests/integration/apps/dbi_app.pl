#!/usr/bin/perl
# Perl DBI with DBD::MariaDB as an application uses it: placeholders with the default binding,
# where every value, integers included, is bound as a string (quoted into the statement by the
# driver, or sent as a string parameter with mariadb_server_prepare=1). Run by test_app_perl_dbi.py
# on a reference MariaDB and through the proxy:
#
#   perl dbi_app.pl PORT USER PASSWORD DATABASE client|server
#
# DATABASE holds t_order (order_id, user_id, status, amount, note), loaded by the test. One JSON
# line per step: {"step": ..., "result": ...} or {"step": ..., "error": [errno, message]}; the
# last step is "done".
use strict;
use warnings;
use DBI qw(:sql_types);
use JSON::PP;

my ($port, $user, $password, $db, $mode) = @ARGV;
die "usage: dbi_app.pl PORT USER PASSWORD DATABASE client|server\n" unless defined $mode;

my $json = JSON::PP->new->utf8->canonical;
$| = 1;
sub emit { print $json->encode($_[0]), "\n"; }

my $dsn = "DBI:MariaDB:database=$db;host=127.0.0.1;port=$port;mariadb_connect_timeout=10;"
    . "mariadb_read_timeout=60;mariadb_write_timeout=60";
$dsn .= ";mariadb_server_prepare=1" if $mode eq 'server';
my $dbh = DBI->connect($dsn, $user, $password, {RaiseError => 1, PrintError => 0, AutoCommit => 1})
    or die "connect: $DBI::errstr\n";

# Runs one step; an error is recorded and the next step goes on.
sub step {
    my ($name, $body) = @_;
    my $result = eval { $body->() };
    if ($@) {
        my $err = $DBI::err;
        my $msg = defined $DBI::errstr ? "$DBI::errstr" : "$@";
        emit({step => $name, error => [defined $err ? $err + 0 : 0, $msg]});
        # a failed step inside a transaction must not leave it open for the next ones
        eval { $dbh->rollback } unless $dbh->{AutoCommit};
        return;
    }
    emit({step => $name, result => $result});
}

my $cols = 'order_id, user_id, status, amount, note';

sub rows_of {
    my ($sql, @bind) = @_;
    my $sth = $dbh->prepare($sql);
    $sth->execute(@bind);
    return {names => $sth->{NAME}, rows => $sth->fetchall_arrayref};
}

sub affected { my ($n) = @_; return $n + 0; }   # "0E0" is DBI's true zero

step('select by user_id bound as a string', sub {
    rows_of("SELECT $cols FROM t_order WHERE user_id = ? ORDER BY order_id", '3');
});
my $perl_int = 4;
step('select by user_id bound from a Perl integer', sub {
    rows_of("SELECT $cols FROM t_order WHERE user_id = ? ORDER BY order_id", $perl_int);
});
step('select by both keys', sub {
    $dbh->selectrow_arrayref("SELECT $cols FROM t_order WHERE user_id = ? AND order_id = ?", undef, '2', '1004');
});
step('select by order_id alone', sub {
    rows_of("SELECT $cols FROM t_order WHERE order_id = ?", '1005');
});
step('select user_id IN', sub {
    rows_of("SELECT $cols FROM t_order WHERE user_id IN (?, ?) ORDER BY amount DESC, order_id", '1', '6');
});

step('cross-shard select with ORDER BY', sub {
    rows_of("SELECT $cols FROM t_order ORDER BY user_id DESC, order_id");
});
step('cross-shard select with a bound filter and ORDER BY', sub {
    rows_of("SELECT order_id, user_id, amount FROM t_order WHERE status = ? AND amount > ?"
            . " ORDER BY amount DESC, order_id", 'NEW', '9');
});
step('cross-shard select with LIMIT bound as an integer', sub {
    my $sth = $dbh->prepare("SELECT order_id, amount FROM t_order ORDER BY amount DESC, order_id LIMIT ?");
    $sth->bind_param(1, 3, SQL_INTEGER);
    $sth->execute;
    return $sth->fetchall_arrayref;
});
step('cross-shard GROUP BY', sub {
    rows_of("SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM t_order GROUP BY user_id ORDER BY user_id");
});
step('cross-shard count', sub {
    [$dbh->selectrow_array("SELECT COUNT(*) FROM t_order WHERE status <> ?", undef, 'CANCELLED')];
});

step('insert with bound values', sub {
    my $sth = $dbh->prepare("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)");
    my @counts;
    push @counts, affected($sth->execute('2001', '7', 'NEW', '11.11', undef));
    push @counts, affected($sth->execute(2002, 8, 'PAID', '0.99', 'second'));
    push @counts, affected($sth->execute('2003', '7', 'NEW', '5', "bound 'quotes' \x{e9}"));
    return \@counts;
});
step('select the inserted rows', sub {
    rows_of("SELECT $cols FROM t_order WHERE user_id = ? ORDER BY order_id", '7');
});

step('update by both keys', sub {
    affected($dbh->do("UPDATE t_order SET status = ?, amount = amount + ? WHERE user_id = ? AND order_id = ?",
                      undef, 'PAID', '1.50', '7', '2001'));
});
step('update by order_id', sub {
    affected($dbh->do("UPDATE t_order SET note = ? WHERE order_id = ?", undef, 'edited', '1002'));
});
step('update by user_id', sub {
    my $sth = $dbh->prepare("UPDATE t_order SET amount = amount * 2 WHERE user_id = ?");
    return [affected($sth->execute('4')), affected($sth->execute('6'))];
});
step('update that matches nothing', sub {
    affected($dbh->do("UPDATE t_order SET status = ? WHERE user_id = ? AND order_id = ?", undef, 'X', '1', '9999'));
});
step('rows after the updates', sub {
    rows_of("SELECT $cols FROM t_order WHERE order_id IN (?, ?, ?, ?) ORDER BY order_id",
            '2001', '1002', '1007', '1011');
});

step('delete by both keys', sub {
    affected($dbh->do("DELETE FROM t_order WHERE user_id = ? AND order_id = ?", undef, '8', '2002'));
});
step('delete by user_id', sub {
    affected($dbh->do("DELETE FROM t_order WHERE user_id = ?", undef, '5'));
});

step('transaction rolled back', sub {
    $dbh->begin_work;
    $dbh->do("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", undef, '2010', '9', 'NEW', '1', undef);
    $dbh->do("UPDATE t_order SET status = ? WHERE user_id = ? AND order_id = ?", undef, 'LOST', '1', '1001');
    my $inside = $dbh->selectall_arrayref(
        "SELECT order_id, status FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id", undef, '2010', '1001');
    $dbh->rollback;
    my $after = $dbh->selectall_arrayref(
        "SELECT order_id, status FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id", undef, '2010', '1001');
    return {inside => $inside, after => $after};
});
step('transaction committed', sub {
    $dbh->begin_work;
    $dbh->do("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", undef, '2011', '10', 'NEW', '2.5', 'tx');
    $dbh->do("DELETE FROM t_order WHERE user_id = ? AND order_id = ?", undef, '1', '1001');
    $dbh->commit;
    return $dbh->selectall_arrayref(
        "SELECT order_id, user_id FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id", undef, '2011', '1001');
});

step('error: duplicate key', sub {
    $dbh->do("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", undef, '1003', '2', 'NEW', '1', undef);
});

step('final contents, cross-shard ORDER BY', sub { rows_of("SELECT $cols FROM t_order ORDER BY user_id DESC, order_id"); });
$dbh->disconnect;
emit({step => 'done', result => JSON::PP::true});
