-- WAL: the tests read while the double writes, and a reader never holds a writer back.
PRAGMA journal_mode = WAL;
-- The Orfeo double's store: the few Orfeo tables the web service touches, named as in
-- Orfeo, plus the double's own control tables (faults, control, llamadas).
CREATE TABLE IF NOT EXISTS usuario (
    usua_login TEXT PRIMARY KEY,
    usua_email TEXT NOT NULL,
    usua_doc TEXT NOT NULL,
    depe_codi TEXT NOT NULL,
    codi_nivel TEXT NOT NULL DEFAULT '1',
    usua_codi TEXT NOT NULL,
    usua_nomb TEXT NOT NULL
);
-- One sequence per dependency and radicado type, as Orfeo's SECR_TP<tipo>_<depe>.
CREATE TABLE IF NOT EXISTS secuencia (
    nombre TEXT PRIMARY KEY,
    valor INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS radicado (
    radi_nume_radi TEXT PRIMARY KEY,
    radi_fech_radi TEXT NOT NULL,
    radi_depe_radi TEXT NOT NULL,
    radi_usua_actu TEXT NOT NULL,
    ra_asun TEXT NOT NULL,
    mrec_codi TEXT NOT NULL,
    radi_desc_anex TEXT NOT NULL,
    radi_cuentai VARCHAR(20),
    trte_codi TEXT NOT NULL,
    tdoc_codi TEXT NOT NULL,
    tdid_codi TEXT NOT NULL,
    carp_codi TEXT NOT NULL,
    carp_per TEXT NOT NULL,
    radi_path TEXT,
    correo TEXT NOT NULL,
    sgd_eanu_codigo INTEGER
);
-- The three Vector parts as received (JSON arrays of 14 strings), and the destinatario
-- as Orfeo's SGD_DIR_DRECCIONES reads it by position.
CREATE TABLE IF NOT EXISTS vectores (
    radi_nume_radi TEXT NOT NULL,
    parte TEXT NOT NULL,
    valores TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sgd_dir_drecciones (
    radi_nume_radi TEXT NOT NULL,
    sgd_dir_tipo INTEGER NOT NULL,
    sgd_trd_codigo TEXT NOT NULL,
    sgd_dir_nomremdes TEXT NOT NULL,
    sgd_dir_doc TEXT NOT NULL,
    sgd_dir_direccion TEXT NOT NULL,
    sgd_dir_telefono TEXT NOT NULL,
    sgd_dir_mail TEXT NOT NULL,
    muni_codi TEXT NOT NULL,
    dpto_codi TEXT NOT NULL,
    id_pais TEXT NOT NULL,
    id_cont TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS imagen (
    radi_nume_radi TEXT PRIMARY KEY,
    nombre TEXT NOT NULL,
    contenido BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS anexos (
    anex_codigo TEXT PRIMARY KEY,
    anex_radi_nume TEXT NOT NULL,
    anex_numero INTEGER NOT NULL,
    anex_nomb_archivo TEXT NOT NULL,
    anex_desc TEXT NOT NULL,
    anex_creador TEXT NOT NULL,
    contenido BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sgd_anu_anulados (
    radi_nume_radi TEXT NOT NULL,
    sgd_anu_desc TEXT NOT NULL,
    sgd_anu_sol_fech TEXT NOT NULL
);
-- Fault injection, written by the tests. A fault applies to calls of `operacion` while
-- `restantes` is not 0 (-1: forever), with probability `probabilidad`.
-- Modes: fatal_before (HTTP 500 without body, nothing created), refuse_before (Orfeo's
-- "no genero un Numero de Secuencia" string, nothing created), lost_after (created, then
-- HTTP 500 without body), cut_after (created, then the connection drops mid-answer),
-- error_after (created, then the SGD_DIR_DRECCIONES error string),
-- slow_after (created, then the answer after control.slow_seconds), notice_after (created,
-- then a PHP notice printed before the answer, as with display_errors on).
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operacion TEXT NOT NULL,
    modo TEXT NOT NULL,
    restantes INTEGER NOT NULL DEFAULT 1,
    probabilidad REAL NOT NULL DEFAULT 1.0
);
-- down_until: epoch seconds before which every request gets HTTP 503 (an outage).
CREATE TABLE IF NOT EXISTS control (
    clave TEXT PRIMARY KEY,
    valor TEXT NOT NULL
);
-- Every SOAP call that reached the service, with the fault it got ('' for none).
CREATE TABLE IF NOT EXISTS llamadas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operacion TEXT NOT NULL,
    falla TEXT NOT NULL
);
