// Sequelize and Knex (npm, apps/package.json) reading a database's structure, as an application
// does at start-up or in a migration: prints one JSON document. Run by test_tool_node.py through
// the proxy and on a reference MariaDB; the two documents must be equal.
//
//   NODE_PATH=.work/node-apps/node_modules node node_metadata.js PORT USER PASSWORD DB
'use strict';

const { Sequelize, DataTypes } = require('sequelize');
const knexFactory = require('knex');

const [port, user, password, database] = process.argv.slice(2);

async function sequelizePart(out) {
  const sequelize = new Sequelize(database, user, password, {
    host: '127.0.0.1', port: Number(port), dialect: 'mysql', logging: false,
    dialectOptions: { connectTimeout: 10000 },
  });
  try {
    const qi = sequelize.getQueryInterface();
    const tables = (await qi.showAllTables()).map((t) => (typeof t === 'string' ? t : t.tableName));
    out.sequelize_showAllTables = tables.slice().sort();
    out.sequelize_describeTable = {};
    for (const t of ['shop_order', 'shop_order_item', 'shop_dict', 'shop_note']) {
      out.sequelize_describeTable[t] = await qi.describeTable(t);
    }
    out.sequelize_fkReferences = await qi.getForeignKeyReferencesForTable('shop_order_item');
    out.sequelize_showIndex = (await qi.showIndex('shop_order'))
      .map((i) => ({ name: i.name, unique: i.unique, primary: i.primary,
        fields: i.fields.map((f) => f.attribute) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const Order = sequelize.define('Order', {
      order_id: { type: DataTypes.BIGINT, primaryKey: true },
      user_id: DataTypes.INTEGER,
      status: DataTypes.STRING(16),
    }, { tableName: 'shop_order', timestamps: false });
    out.sequelize_count = await Order.count();
    out.sequelize_count_paid = await Order.count({ where: { status: 'PAID' } });
  } finally {
    await sequelize.close();
  }
}

async function knexPart(out) {
  const knex = knexFactory({
    client: 'mysql2',
    connection: { host: '127.0.0.1', port: Number(port), user, password, database },
    pool: { min: 0, max: 1 },
  });
  try {
    out.knex_hasTable = {};
    for (const t of ['shop_order', 'shop_order_item', 'shop_dict', 'shop_note', 'shop_note_v', 'shop_missing']) {
      out.knex_hasTable[t] = await knex.schema.hasTable(t);
    }
    out.knex_hasColumn = {
      'shop_order.order_no': await knex.schema.hasColumn('shop_order', 'order_no'),
      'shop_order.missing': await knex.schema.hasColumn('shop_order', 'missing'),
      'shop_order_item.qty': await knex.schema.hasColumn('shop_order_item', 'qty'),
    };
    out.knex_columnInfo = await knex('shop_order').columnInfo();
    out.knex_count = (await knex('shop_order_item').count({ n: '*' }))[0].n;
  } finally {
    await knex.destroy();
  }
}

(async () => {
  const out = {};
  const errors = [];
  for (const [name, part] of [['sequelize', sequelizePart], ['knex', knexPart]]) {
    try {
      await part(out);
    } catch (e) {
      errors.push(name + ': ' + (e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : String(e)));
    }
  }
  out.errors = errors;
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  process.exit(errors.length ? 1 : 0);
})();
