#pragma once
// Puts the store-and-forward core's edges on the audit trail without changing them: the
// DICOM receiver's caller policy and publisher factory are wrapped so that a refused caller
// becomes an "association.rejected" record (a PS3.15 Security Alert) and each association's
// instances become "instance.received" records per study.

#include "adapters/dicom/receive_storage_receiver.h"
#include "engine/audit/audit_sink.h"

namespace sundial::app {

// `audit` must outlive the returned policy; called on the receiver's listener thread.
adapters::dicom::CallerPolicy auditedCallerPolicy(adapters::dicom::CallerPolicy policy,
                                                  engine::AuditSink& audit);

adapters::dicom::PublisherFactory auditedPublishers(adapters::dicom::PublisherFactory publishers,
                                                    engine::AuditSink& audit);

}  // namespace sundial::app
