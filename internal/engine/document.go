package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Document reads the document of collection whose _id is id straight from
// SQLite and decodes it into v as the driver decodes BSON (v's bson tags
// decide), reporting whether there was one. It is what FerretDB's find by
// {_id: id} answers, without FerretDB's own handling of the request (its
// decoding of the stored document into its types, then BSON, its resource
// tracking: about 0.8 ms of a dossier read). The query is FerretDB's own
// (`_ferretdb_sjson->'$._id' = ?`), so the index IndexIDs creates finds it.
func (e *Engine) Document(ctx context.Context, database, collection, id string, v any) (bool, error) {
	// The _id as FerretDB encodes it for that query (sjson.MarshalSingleValue).
	key, err := json.Marshal(id)
	if err != nil {
		return false, fmt.Errorf("engine: read %s %q: %w", collection, id, err)
	}
	var text []byte
	for retried := false; ; retried = true {
		stmt, err := e.docs.statement(ctx, e, database, collection)
		if stmt == nil || err != nil {
			return false, err // no database or collection: no document
		}
		err = stmt.QueryRowContext(ctx, string(key)).Scan(&text)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err == nil {
			break
		}
		if retried || ctx.Err() != nil {
			return false, fmt.Errorf("engine: read %s %q: %w", collection, id, err)
		}
		// The collection may have been dropped since the statement was
		// prepared, or the database closed: look for them again.
		e.docs.forget(database, collection)
	}
	raw, err := bsonOfSJSON(text)
	if err == nil {
		err = bson.Unmarshal(raw, v)
	}
	if err != nil {
		return false, fmt.Errorf("engine: decode %s %q: %w", collection, id, err)
	}
	return true, nil
}

// documents holds what Document reads with, kept between reads: opening
// the file and preparing the query each time would cost more than the
// read itself.
type documents struct {
	mu  sync.Mutex
	dbs map[string]*documentsDB // by database
}

type documentsDB struct {
	db *sql.DB
	// file is the file opened: a database dropped and created again is
	// another file, and the old one must not be read.
	file  os.FileInfo
	stmts map[string]*sql.Stmt // by collection
}

// documentQuery reads a table's document by _id with the expression
// FerretDB queries _id with, which IndexIDs indexes.
const documentQuery = `SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`

// idleReaders is how many connections of a database stay open between
// reads: a page reads its dossiers eight at a time, beside other requests,
// and a new connection costs more than a read.
const idleReaders = 16

// statement is the prepared read by _id of collection; nil when the
// database or the collection does not exist.
func (ds *documents) statement(ctx context.Context, e *Engine, database, collection string) (*sql.Stmt, error) {
	file, err := os.Stat(filepath.Join(e.dir, database+".sqlite"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine: database %s: %w", database, err)
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	d := ds.dbs[database]
	if d == nil || !os.SameFile(d.file, file) {
		if d, err = ds.open(e, database, file); err != nil {
			return nil, err
		}
	}
	if stmt := d.stmts[collection]; stmt != nil {
		return stmt, nil
	}
	table, err := tableOf(ctx, d.db, collection)
	if table == "" || err != nil {
		return nil, err
	}
	stmt, err := d.db.PrepareContext(ctx, fmt.Sprintf(documentQuery, table))
	if err != nil {
		return nil, fmt.Errorf("engine: prepare read of %s: %w", collection, err)
	}
	d.stmts[collection] = stmt
	return stmt, nil
}

// open opens database for reads, closing the databases whose files are
// gone or were replaced (dropped, the tests' are). Callers hold ds.mu.
func (ds *documents) open(e *Engine, database string, file os.FileInfo) (*documentsDB, error) {
	for name, d := range ds.dbs {
		if now, err := os.Stat(filepath.Join(e.dir, name+".sqlite")); err != nil || !os.SameFile(d.file, now) {
			d.close()
			delete(ds.dbs, name)
		}
	}
	db, err := e.open(database)
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(idleReaders)
	if ds.dbs == nil {
		ds.dbs = map[string]*documentsDB{}
	}
	d := &documentsDB{db: db, file: file, stmts: map[string]*sql.Stmt{}}
	ds.dbs[database] = d
	return d, nil
}

// forget drops the statement of collection, prepared again at next use.
func (ds *documents) forget(database, collection string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if d := ds.dbs[database]; d != nil {
		if stmt := d.stmts[collection]; stmt != nil {
			_ = stmt.Close()
			delete(d.stmts, collection)
		}
	}
}

// close closes every database opened for reads.
func (ds *documents) close() {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	for name, d := range ds.dbs {
		d.close()
		delete(ds.dbs, name)
	}
}

func (d *documentsDB) close() {
	for _, stmt := range d.stmts {
		_ = stmt.Close()
	}
	_ = d.db.Close()
}
