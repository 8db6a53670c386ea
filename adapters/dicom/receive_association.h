#pragma once
// The DCMTK side of the storage SCP: one StoreScp per association thread (negotiation,
// caller checks, C-ECHO, C-STORE into the spool) and the pool that hands each accepted
// connection to a new worker. Internal to adapters/dicom: DCMTK types appear here.

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <optional>
#include <string>

#include "adapters/dicom/receive_context.h"
#include "adapters/dicom/receive_instance.h"
#include "dcmtk/dcmnet/scppool.h"
#include "dcmtk/dcmnet/scpthrd.h"

namespace sundial::adapters::dicom {

// Serves one association on the calling thread. Every override catches what it calls: no
// exception goes back into DCMTK.
class StoreScp : public DcmThreadSCP {
 public:
  explicit StoreScp(ReceiveContext& context);

  // Negotiates and serves an association already accepted at TCP level; returns at its end.
  OFCondition serve(T_ASC_Association* association);

 protected:
  void notifyAssociationRequest(const T_ASC_Parameters& params,
                                DcmSCPActionType& desired_action) override;
  void refuseAssociation(const DcmRefuseReasonType reason) override;
  OFCondition negotiateAssociation() override;
  void notifyAssociationAcknowledge() override;
  OFCondition handleIncomingCommand(T_DIMSE_Message* message,
                                    const DcmPresentationContextInfo& info) override;

 private:
  OFCondition handleStore(T_DIMSE_C_StoreRQ& request, T_ASC_PresentationContextID context_id);
  // Reads and drops the request's data set, then answers `answer`.
  OFCondition skipDataSetAndAnswer(T_DIMSE_C_StoreRQ& request,
                                   T_ASC_PresentationContextID context_id,
                                   std::uint16_t answer);
  void reject(AssociationRejection rejection, const std::string& detail);
  // The site guard's TLS, certificate and association-limit checks; rejects and returns
  // false when the site may not associate now.
  bool admitBySiteGuard(const std::string& site);
  void holdBackForSiteRate(std::uint64_t bytes);

  ReceiveContext& context_;
  T_ASC_Association* association_ = nullptr;  // set by serve() for the association's life
  AssociationState state_;
  std::string called_ae_;
  std::optional<AssociationRejection> rejection_;  // decided in notifyAssociationRequest
  bool accepted_ = false;
  bool admitted_by_guard_ = false;  // the site guard counts this association: release it
};

// A DcmBaseSCPPool whose workers are StoreScps bound to one ReceiveContext.
class ReceivePool : public DcmBaseSCPPool {
 public:
  explicit ReceivePool(ReceiveContext& context);

 protected:
  DcmBaseSCPWorker* createSCPWorker() override;

 private:
  class Worker;
  ReceiveContext& context_;
};

}  // namespace sundial::adapters::dicom
