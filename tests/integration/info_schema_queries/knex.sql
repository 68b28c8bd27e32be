-- Knex 3.3 (tests/integration/apps/package.json), mysql2 client, as it sent them (proxy log).
-- source: knex/lib/dialects/mysql/schema/mysql-compiler.js hasTable()
select * from information_schema.tables where table_name = 'shop_order' and table_schema = database();

select * from information_schema.tables where table_name = 'shop_note_v' and table_schema = database();

select * from information_schema.tables where table_name = 'shop_missing' and table_schema = database();

-- source: knex/lib/dialects/mysql/query/mysql-querycompiler.js columnInfo()
select * from information_schema.columns where table_name = 'shop_order' and table_schema = 'it_info_shop';

-- source: knex/lib/dialects/mysql/schema/mysql-compiler.js hasColumn()
show columns from `shop_order_item`;
