import Database from 'better-sqlite3';
const db = new Database(':memory:');
db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, u TEXT, a INT, c INT, e INT, kind TEXT, m TEXT);
CREATE UNIQUE INDEX t_k ON t(k); CREATE INDEX t_u ON t(u, c) WHERE kind='reserve'; CREATE INDEX t_e ON t(e) WHERE kind='reserve';
CREATE TABLE b (id INTEGER PRIMARY KEY, bal INT); CREATE TABLE s (u TEXT, w INT, p INT, q INT, PRIMARY KEY(u,w)) WITHOUT ROWID;`);
for (let i = 0; i < 1000; i++) { db.prepare('INSERT INTO b VALUES (?, 0)').run(i); db.prepare('INSERT INTO s VALUES (?, 1, 0, 0)').run('user-' + i); }
const get = db.prepare('SELECT * FROM b WHERE id = ?'); const getS = db.prepare('SELECT * FROM s WHERE u = ? AND w = 1');
const ins = db.prepare(`INSERT INTO t (k,u,a,c,e,kind,m) VALUES (?,?,?,?,?,'reserve',?)`);
const insR = db.prepare(`INSERT INTO t (k,u,a,c,e,kind,m) VALUES (?,?,?,?,?,'reserve',?) RETURNING *`);
const upd = db.prepare('UPDATE b SET bal = bal + ? WHERE id = ?'); const updS = db.prepare('UPDATE s SET p = p + ? WHERE u = ? AND w = 1');
const N = 200000;
function time(name: string, f: (i: number) => void) { const t = performance.now(); for (let i = 0; i < N; i++) f(i); console.log(name, ((performance.now() - t) * 1000 / N).toFixed(2), 'µs'); }
time('get pk', (i) => get.get(i % 1000));
time('get s', (i) => getS.get('user-' + (i % 1000)));
time('update b', (i) => upd.run(1, i % 1000));
time('update s', (i) => updS.run(1, 'user-' + (i % 1000)));
time('insert', (i) => ins.run('key-' + i, 'user-' + (i % 1000), 5, i, i, '{"serviceId":"x","taskId":"y","feeReserveMsat":5}'));
time('insert returning', (i) => insR.get('kez-' + i, 'user-' + (i % 1000), 5, i, i, '{"serviceId":"x","taskId":"y","feeReserveMsat":5}'));
const tx = db.transaction(() => get.get(1));
time('tx empty', () => tx.immediate());
db.exec('BEGIN');
time('savepoint', () => { db.exec('SAVEPOINT a'); db.exec('RELEASE a'); });
const txn = db.transaction(() => 1);
time('nested tx', () => txn.immediate());
db.exec('COMMIT');
