// Sequelize 6 with the mysql2 driver as an application uses them, on a sharded table. Run by
// test_app_sequelize.py on a reference MariaDB and through the proxy, with NODE_PATH naming the
// node_modules that scripts/install-deps.sh fills (from package.json beside this file):
//
//   node sequelize_app.js PORT USER PASSWORD DATABASE
//
// DATABASE holds t_order (order_id, user_id, status, amount, note), created and loaded by the test:
// the model is defined without sync(). Sequelize ends its statements with ';' and sends INSERTs and
// instance UPDATEs as server-side prepared statements (mysql2's execute). One JSON line per step:
// {"step": ..., "result": ...} or {"step": ..., "error": [errno, message]}; the last step is "done".
'use strict';

const { Sequelize, DataTypes, Op, QueryTypes, fn, col, literal } = require('sequelize');

const [port, user, password, db] = process.argv.slice(2);

const sequelize = new Sequelize(db, user, password, {
  host: '127.0.0.1',
  port: Number(port),
  dialect: 'mysql',
  logging: false,
  pool: { max: 2, min: 0, acquire: 20000, idle: 1000 },
  dialectOptions: { connectTimeout: 10000, charset: 'utf8mb4' },
});

const Order = sequelize.define('Order', {
  order_id: { type: DataTypes.BIGINT, primaryKey: true },
  user_id: { type: DataTypes.INTEGER, allowNull: false },   // the sharding key of the data sources
  status: { type: DataTypes.STRING(32), allowNull: false },
  amount: { type: DataTypes.DECIMAL(10, 2), allowNull: false, defaultValue: '0' },
  note: { type: DataTypes.STRING(64), allowNull: true },
}, { tableName: 't_order', timestamps: false });

function plain(v) {
  if (v instanceof Order) return [v.order_id, v.user_id, v.status, v.amount, v.note];
  if (Array.isArray(v)) return v.map(plain);
  if (v === undefined) return null;
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = plain(v[k]);
    return out;
  }
  return v;
}

function emit(record) { process.stdout.write(JSON.stringify(record) + '\n'); }

class Rollback extends Error {}

// Runs one step; an error is recorded (errno and message of the driver's error) and the next step
// goes on.
async function step(name, body) {
  try {
    emit({ step: name, result: plain(await body()) });
  } catch (e) {
    const driver = e.parent || e.original || e;
    emit({ step: name, error: [driver.errno || 0, driver.sqlMessage || driver.message || String(e)] });
  }
}

const ids = (list) => ({ where: { order_id: list }, order: [['order_id', 'ASC']] });

async function main() {
  await step('count()', () => Order.count());
  await step('count() with where', () => Order.count({ where: { user_id: 3 } }));
  await step('findAll where user_id, order', () =>
    Order.findAll({ where: { user_id: 3 }, order: [['order_id', 'ASC']] }));
  await step('findAll where status and amount > , order', () =>
    Order.findAll({ where: { status: 'NEW', amount: { [Op.gt]: 9 } }, order: [['amount', 'DESC'], ['order_id', 'ASC']] }));
  await step('findByPk', () => Order.findByPk(1004));
  await step('findOne by both keys', () => Order.findOne({ where: { user_id: 2, order_id: 1004 } }));
  await step('findAll user_id IN', () =>
    Order.findAll({ where: { user_id: [1, 6] }, order: [['amount', 'DESC'], ['order_id', 'ASC']] }));
  await step('findAll over both shards, order, limit, offset', () =>
    Order.findAll({ order: [['user_id', 'DESC'], ['order_id', 'ASC']], limit: 3, offset: 2 }));
  await step('sum and max', async () => [await Order.sum('amount'), await Order.max('amount')]);
  await step('GROUP BY', () => Order.findAll({
    attributes: ['user_id', [fn('COUNT', col('order_id')), 'n'], [fn('SUM', col('amount')), 'total']],
    group: ['user_id'], order: [['user_id', 'ASC']], raw: true,
  }));
  await step('raw query with a string replacement', () =>
    sequelize.query('SELECT order_id, status FROM t_order WHERE user_id = :u ORDER BY order_id',
      { replacements: { u: '3' }, type: QueryTypes.SELECT }));

  await step('create', () => Order.create({ order_id: 2001, user_id: 7, status: 'NEW', amount: '11.11' }));
  await step('bulkCreate over both shards', async () => (await Order.bulkCreate([
    { order_id: 2002, user_id: 8, status: 'PAID', amount: '0.99', note: 'second' },
    { order_id: 2003, user_id: 7, status: 'NEW', amount: '5', note: "bound 'quotes' \u00e9" },
  ])).length);
  await step('read the created rows', () => Order.findAll({ where: { user_id: [7, 8] }, order: [['order_id', 'ASC']] }));

  await step('instance.update()', async () => {
    const o = await Order.findByPk(1005);
    await o.update({ status: 'PAID_TWICE' });
    return Order.findByPk(1005);
  });
  await step('instance.save() after a change', async () => {
    const o = await Order.findOne({ where: { user_id: 4, order_id: 1008 } });
    o.amount = '61.25';
    o.note = 'saved';
    await o.save();
    return Order.findByPk(1008);
  });
  await step('Model.update where order_id', () => Order.update({ note: 'edited' }, { where: { order_id: 1002 } }));
  await step('Model.update where user_id with an expression', () =>
    Order.update({ amount: literal('amount * 2') }, { where: { user_id: 6 } }));
  await step('rows after the updates', () => Order.findAll(ids([1002, 1005, 1008, 1010, 1011])));

  await step('destroy where order_id', () => Order.destroy({ where: { order_id: 1006 } }));
  await step('instance.destroy()', async () => {
    const o = await Order.findByPk(1007);
    await o.destroy();
    return Order.count({ where: { user_id: 4 } });
  });
  await step('destroy where user_id', () => Order.destroy({ where: { user_id: 5 } }));

  await step('managed transaction committed', async () => {
    await sequelize.transaction(async (t) => {
      await Order.create({ order_id: 2011, user_id: 10, status: 'NEW', amount: '2.50', note: 'tx' }, { transaction: t });
      await Order.update({ status: 'IN_TX' }, { where: { user_id: 1, order_id: 1001 }, transaction: t });
    });
    return Order.findAll(ids([1001, 2011]));
  });
  await step('managed transaction rolled back', async () => {
    let inside = null;
    try {
      await sequelize.transaction(async (t) => {
        await Order.create({ order_id: 2012, user_id: 11, status: 'NEW' }, { transaction: t });
        await Order.update({ status: 'LOST' }, { where: { user_id: 2 }, transaction: t });
        inside = await Order.findAll({ ...ids([1003, 1004, 2012]), transaction: t });
        throw new Rollback('roll back');
      });
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
    }
    return { inside, after: await Order.findAll(ids([1003, 1004, 2012])) };
  });
  await step('unmanaged transaction committed', async () => {
    const t = await sequelize.transaction();
    try {
      await Order.destroy({ where: { user_id: 3, order_id: 1005 }, transaction: t });
      await Order.create({ order_id: 2013, user_id: 12, status: 'NEW' }, { transaction: t });
      const n = await Order.count({ transaction: t });
      await t.commit();
      return n;
    } catch (e) {
      await t.rollback();
      throw e;
    }
  });
  await step('error: duplicate key', () => Order.create({ order_id: 1003, user_id: 2, status: 'DUP' }));
  await step('final contents', () => Order.findAll({ order: [['order_id', 'ASC']] }));
  emit({ step: 'done', result: true });
}

main().catch((e) => {
  process.stderr.write(`unexpected failure: ${e.stack || e}\n`);
  process.exitCode = 1;
}).finally(() => sequelize.close());
