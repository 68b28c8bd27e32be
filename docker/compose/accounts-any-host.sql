-- docker/compose.yaml: the proxy reaches the servers from its own container's address, not from
-- 127.0.0.1 as in scripts/demo.sh, so the accounts of conf/demo/setup-node-*.sql (run before
-- this file) may log in from any host. They keep their grants.
DELIMITER //
FOR u IN (SELECT User FROM mysql.user WHERE Host = '127.0.0.1' AND User LIKE 'sp\_%') DO
  EXECUTE IMMEDIATE CONCAT('RENAME USER ''', u.User, '''@''127.0.0.1'' TO ''', u.User, '''@''%''');
END FOR //
DELIMITER ;
