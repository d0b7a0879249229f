import { translateSql } from '../server/db/postgres/sqlite-dialect';
console.log(translateSql(process.argv[2]!).text);
